from django.apps import AppConfig


class ResponsesConfig(AppConfig):
    """Suggested response templates by emotional state, journey stage and channel; versions and usage."""

    name = "apps.responses"
    label = "responses"
    verbose_name = "Response templates"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from apps.responses import models

        auditlog.register(models.ResponseTemplate)
        auditlog.register(models.ResponseTemplateVersion)
        # Only a digest of the reply is stored, so there is no personal text to mask.
        auditlog.register(models.TemplateUsage)
