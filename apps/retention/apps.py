from django.apps import AppConfig


class RetentionConfig(AppConfig):
    """Retention policies, legal holds and the purge job."""

    name = "apps.retention"
    label = "retention"
    verbose_name = "Retention"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from apps.retention import models

        auditlog.register(models.RetentionPolicy)
        auditlog.register(models.LegalHold)
        auditlog.register(models.RetentionRun)
        # AnonymisedMessage is a bulk-written ledger (one row per message); the run that wrote it is audited.
