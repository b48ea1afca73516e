"""API serializers of service level management."""
