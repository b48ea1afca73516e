"""Policy rules of configuration management, registered with ``itsm.policy``."""
