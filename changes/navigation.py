"""Navigation entries and dashboard widgets of change management."""
