from django.apps import AppConfig


class AlertsConfig(AppConfig):
    """Alert rules, baselines, spike and viral detection, alerts, escalation and notifications."""

    name = "apps.alerts"
    label = "alerts"
    verbose_name = "Alerts and escalations"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from apps.alerts import models

        auditlog.register(models.AlertRule)
        auditlog.register(models.Alert)
        auditlog.register(models.EscalationPolicy)
        auditlog.register(models.EscalationLevel)
        auditlog.register(models.WebhookEndpoint, exclude_fields=["secret"])
