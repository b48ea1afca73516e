"""Background jobs of configuration management."""
