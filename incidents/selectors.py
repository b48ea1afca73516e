"""Reads of incident and service request management: joins and policy scoping live here."""
