"""The base model every app's models build on."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.permissions import restrict_queryset


class RestrictedQuerySet(models.QuerySet):
    """A queryset that knows how to narrow itself to what one user may do."""

    def restrict(self, user, action: str = "view") -> RestrictedQuerySet:
        """The rows ``user`` may ``action`` (view, add, change, delete)."""
        return restrict_queryset(self, user, action)


class BaseModel(models.Model):
    """Timestamps and the restricted manager."""

    created = models.DateTimeField(_("created"), auto_now_add=True, editable=False)
    updated = models.DateTimeField(_("updated"), auto_now=True, editable=False)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True


class SecurityEvent(models.Model):
    """Something security-relevant that was refused: a bad webhook signature, a replay, a stale timestamp."""

    kind = models.CharField(_("kind"), max_length=40, db_index=True)
    subject = models.CharField(
        _("subject"), max_length=200, blank=True, help_text=_("What it concerned (a source slug).")
    )
    remote_addr = models.GenericIPAddressField(_("remote address"), null=True, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    created = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        verbose_name = _("security event")
        verbose_name_plural = _("security events")

    def __str__(self) -> str:
        return f"{self.kind} {self.subject}"
