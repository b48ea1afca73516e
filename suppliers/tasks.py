"""Background jobs of supplier management."""
