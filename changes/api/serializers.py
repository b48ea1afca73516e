"""API serializers of change management."""
