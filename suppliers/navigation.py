"""Navigation entries and dashboard widgets of supplier management."""
