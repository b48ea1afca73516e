"""Choices (TextChoices) of change management."""
