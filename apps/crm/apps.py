from django.apps import AppConfig


class CrmConfig(AppConfig):
    """Accounts, contacts, segments and journey stages."""

    name = "apps.crm"
    label = "crm"
    verbose_name = "CRM"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from apps.crm import models

        auditlog.register(models.Segment)
        auditlog.register(models.Account)
        auditlog.register(models.Contact, mask_fields=["name", "email", "phone"])
        auditlog.register(models.ContactIdentity, mask_fields=["value"])
        # What the customer feels, in a colleague's words: personal data, masked in the audit diffs.
        auditlog.register(models.HandoffNote, mask_fields=["context"])
