"""API views of service level management."""
