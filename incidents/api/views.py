"""API views of incident and service request management."""
