"""Reads of change management: joins and policy scoping live here."""
