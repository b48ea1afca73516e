"""Writes of service level management: one keyword-only service per write, with actor and reason."""
