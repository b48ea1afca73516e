"""Admin registrations of change management."""
