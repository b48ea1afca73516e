"""Models of configuration management."""
