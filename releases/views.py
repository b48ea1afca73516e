"""Pages of release and deployment management."""
