"""Navigation entries and dashboard widgets of problem management."""
