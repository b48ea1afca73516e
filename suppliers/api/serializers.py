"""API serializers of supplier management."""
