"""Choices (TextChoices) of configuration management."""
