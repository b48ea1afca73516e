"""Forms of service level management."""
