"""Forms of problem management."""
