"""API views of configuration management."""
