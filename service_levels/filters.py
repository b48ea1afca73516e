"""FilterSets of service level management, shared by list pages and the API."""
