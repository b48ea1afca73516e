"""Policy rules of supplier management, registered with ``itsm.policy``."""
