from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    """Business outcomes and predictive validity, drift, and model cards."""

    name = "apps.monitoring"
    label = "monitoring"
    verbose_name = "Model monitoring"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from apps.monitoring import models

        # Outcomes carry no personal fields (an account, a date, an ARR change, a free note).
        auditlog.register(models.AccountOutcome)
        auditlog.register(models.DriftSettings)
        auditlog.register(models.DriftAlert)
