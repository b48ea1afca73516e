"""Navigation entries and dashboard widgets of incident and service request management."""
