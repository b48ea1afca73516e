"""Reads of problem management: joins and policy scoping live here."""
