"""Background jobs of change management."""
