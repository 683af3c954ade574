from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    """Roles, purposes and prohibited uses, DPIAs, and the log of who read whose emotion data and why."""

    name = "apps.governance"
    label = "governance"
    verbose_name = "Governance"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from apps.governance import models

        auditlog.register(models.Purpose, m2m_fields={"allowed_roles"})
        auditlog.register(models.ProhibitedUse)
        auditlog.register(models.DPIA)

        from django.db.models.signals import post_migrate

        # Roles are created by a migration; this keeps their permissions in step with apps migrated later.
        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="emotionhub-roles")


def _sync_roles(sender, **kwargs) -> None:
    if kwargs.get("plan") is None:
        return  # a flush (test teardown), not a migrate: tests that need this data restore it themselves
    from django.apps import apps

    from apps.governance.roles import apply_roles

    apply_roles(apps)
