"""Writes of change management: one keyword-only service per write, with actor and reason."""
