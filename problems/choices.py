"""Choices (TextChoices) of problem management."""
