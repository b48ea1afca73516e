"""Models of change management."""
