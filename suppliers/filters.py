"""FilterSets of supplier management, shared by list pages and the API."""
