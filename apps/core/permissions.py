"""Object permissions in one place: which action an HTTP method needs, and who may do it to what."""

from __future__ import annotations

from django.db import models

#: The action each HTTP method needs (NetBox's mapping). Reads are "view"; writes are named.
HTTP_ACTIONS: dict[str, str] = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}
ACTIONS = ("view", "add", "change", "delete")


def permission_name(model: type[models.Model], action: str) -> str:
    """The Django permission string, e.g. ``crm.view_account``."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}; expected one of {ACTIONS}")
    opts = model._meta
    return f"{opts.app_label}.{action}_{opts.model_name}"


def restrict_queryset(queryset: models.QuerySet, user, action: str = "view") -> models.QuerySet:
    """The rows of ``queryset`` that ``user`` may ``action``.

    - anonymous or inactive users: nothing;
    - superusers, or holders of the model-wide permission (``accept_global_perms``): everything;
    - models governed by object permissions (class attribute ``object_permissions = True``):
      the rows django-guardian grants the user (directly or through a group);
    - models that inherit their visibility from a parent (``restrict_via = "account"``, a foreign
      key name): the rows
      whose parent the user may view (for reads) or change (for writes).
    Any other model is visible only with the model-wide permission.
    """
    from guardian.shortcuts import get_objects_for_user

    model = queryset.model
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_superuser or user.has_perm(permission_name(model, action)):
        return queryset
    if getattr(model, "object_permissions", False):
        return get_objects_for_user(
            user,
            permission_name(model, action),
            klass=queryset,
            accept_global_perms=True,
            with_superuser=True,
        )
    via = getattr(model, "restrict_via", None)
    if via:
        # One hop: the parent applies its own rule (which may be another hop).
        parent_model = model._meta.get_field(via).related_model
        parent_action = "view" if action == "view" else "change"
        parents = restrict_queryset(parent_model._default_manager.all(), user, parent_action)
        return queryset.filter(**{f"{via}__in": parents.values("pk")})
    return queryset.none()
