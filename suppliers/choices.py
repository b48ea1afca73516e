"""Choices (TextChoices) of supplier management."""
