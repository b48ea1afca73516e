"""Pages of supplier management."""
