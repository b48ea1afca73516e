"""Models of incident and service request management."""
