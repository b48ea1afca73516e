"""Forms of release and deployment management."""
