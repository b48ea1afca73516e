"""FilterSets of incident and service request management, shared by list pages and the API."""
