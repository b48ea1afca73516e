"""Pages of incident and service request management."""
