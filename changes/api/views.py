"""API views of change management."""
