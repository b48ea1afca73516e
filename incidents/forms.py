"""Forms of incident and service request management."""
