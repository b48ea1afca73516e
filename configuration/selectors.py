"""Reads of configuration management: joins and policy scoping live here."""
