from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    """Business outcomes and predictive validity, drift, and model cards."""

    name = "apps.monitoring"
    label = "monitoring"
    verbose_name = "Model monitoring"
