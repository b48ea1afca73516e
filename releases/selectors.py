"""Reads of release and deployment management: joins and policy scoping live here."""
