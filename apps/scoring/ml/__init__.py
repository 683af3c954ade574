"""Offline training and evaluation helpers for scoring engines (Django-free)."""
