"""Navigation entries and dashboard widgets of service level management."""
