"""Policy rules of release and deployment management, registered with ``itsm.policy``."""
