"""Pages of configuration management."""
