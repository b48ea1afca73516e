"""Pages of change management."""
