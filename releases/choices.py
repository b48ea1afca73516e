"""Choices (TextChoices) of release and deployment management."""
