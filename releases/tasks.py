"""Background jobs of release and deployment management."""
