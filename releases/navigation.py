"""Navigation entries and dashboard widgets of release and deployment management."""
