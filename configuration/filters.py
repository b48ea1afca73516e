"""FilterSets of configuration management, shared by list pages and the API."""
