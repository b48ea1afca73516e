"""Choices (TextChoices) of service level management."""
