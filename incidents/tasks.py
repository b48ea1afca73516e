"""Background jobs of incident and service request management."""
