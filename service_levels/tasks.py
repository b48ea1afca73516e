"""Background jobs of service level management."""
