"""Writes of release and deployment management: one keyword-only service per write, with actor and reason."""
