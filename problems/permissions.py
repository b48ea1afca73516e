"""Policy rules of problem management, registered with ``itsm.policy``."""
