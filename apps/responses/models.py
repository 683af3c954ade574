"""Response templates: models."""
