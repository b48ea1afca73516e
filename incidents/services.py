"""Writes of incident and service request management: one keyword-only service per write, with actor and reason."""
