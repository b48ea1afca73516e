"""Admin registrations of supplier management."""
