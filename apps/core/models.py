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
