"""API serializers of incident and service request management."""
