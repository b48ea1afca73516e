"""Admin registrations of configuration management."""
