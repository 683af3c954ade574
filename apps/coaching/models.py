"""Coaching: models."""
