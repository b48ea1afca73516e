"""Admin registrations of release and deployment management."""
