from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared machinery: base model, restricted querysets, base API viewset, health, benchmarks."""

    name = "apps.core"
    label = "core"
    verbose_name = "Core"
