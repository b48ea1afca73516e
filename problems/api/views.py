"""API views of problem management."""
