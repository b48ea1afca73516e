"""API serializers of release and deployment management."""
