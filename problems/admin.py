"""Admin registrations of problem management."""
