"""Incident and service request management (ISO/IEC 20000-1 clause 8.1): incidents, service requests, major incidents and monitoring-alert ingest."""
