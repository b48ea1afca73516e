"""Policy rules of incident and service request management, registered with ``itsm.policy``."""
