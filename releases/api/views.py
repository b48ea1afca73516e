"""API views of release and deployment management."""
