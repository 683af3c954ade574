from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared machinery: base model, restricted querysets, base API viewset, health, benchmarks."""

    name = "apps.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        # Once per migrate, after django_q's own tables exist (the sender filter avoids running it per app).
        post_migrate.connect(_sync_after_q_migrations, dispatch_uid="emotionhub-schedules")


def _sync_after_q_migrations(sender, **kwargs) -> None:
    if kwargs.get("plan") is None:
        return  # a flush (test teardown), not a migrate: tests that need this data restore it themselves
    if sender.name == "django_q":
        from apps.core.schedules import sync_schedules

        sync_schedules()
