"""Models of release and deployment management."""
