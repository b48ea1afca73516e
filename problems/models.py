"""Models of problem management."""
