"""Forms of supplier management."""
