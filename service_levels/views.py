"""Pages of service level management."""
