"""FilterSets of release and deployment management, shared by list pages and the API."""
