"""Writes of supplier management: one keyword-only service per write, with actor and reason."""
