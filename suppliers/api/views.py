"""API views of supplier management."""
