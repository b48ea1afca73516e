"""Policy rules of change management, registered with ``itsm.policy``."""
