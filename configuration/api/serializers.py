"""API serializers of configuration management."""
