"""Reads of supplier management: joins and policy scoping live here."""
