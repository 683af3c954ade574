from django.apps import AppConfig


class ConsentConfig(AppConfig):
    """Consent records per contact and channel; the check ingestion makes before any analysis."""

    name = "apps.consent"
    label = "consent"
    verbose_name = "Consent"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from apps.consent import models

        auditlog.register(models.ConsentRecord)
        auditlog.register(models.OptOutRequest, mask_fields=["email"])
        auditlog.register(models.ErasedSubject)
