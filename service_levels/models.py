"""Models of service level management."""
