"""Policy rules of service level management, registered with ``itsm.policy``."""
