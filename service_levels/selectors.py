"""Reads of service level management: joins and policy scoping live here."""
