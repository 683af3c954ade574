"""Validation: models."""
