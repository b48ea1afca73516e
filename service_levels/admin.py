"""Admin registrations of service level management."""
