"""FilterSets of problem management, shared by list pages and the API."""
