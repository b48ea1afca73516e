"""API serializers of problem management."""
