"""Admin registrations of incident and service request management."""
