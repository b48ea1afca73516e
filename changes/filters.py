"""FilterSets of change management, shared by list pages and the API."""
