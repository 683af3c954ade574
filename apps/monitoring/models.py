"""Model monitoring: models."""
