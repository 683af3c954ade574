from django.apps import AppConfig


class SourcesConfig(AppConfig):
    """Sources, the messages they bring in, and what could not be accepted (dead letters)."""

    name = "apps.sources"
    label = "sources"
    verbose_name = "Sources and messages"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from apps.sources import models

        auditlog.register(models.Source)
        # Customers' words never go into audit diffs: the text and the author handle are masked.
        auditlog.register(
            models.Message, mask_fields=["text", "author_handle", "subject", "url", "metadata", "self_reported"]
        )
        auditlog.register(models.DeadLetter, exclude_fields=["payload", "raw_body"])
