"""Navigation entries and dashboard widgets of configuration management."""
