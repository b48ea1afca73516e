"""Forms of change management."""
