"""Forms of configuration management."""
