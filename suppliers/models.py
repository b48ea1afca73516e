"""Models of supplier management."""
