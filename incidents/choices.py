"""Choices (TextChoices) of incident and service request management."""
