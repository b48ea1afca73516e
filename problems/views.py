"""Pages of problem management."""
