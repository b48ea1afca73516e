"""Background jobs of problem management."""
