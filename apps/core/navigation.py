"""The workspace links in the top bar: each role sees the pages it works in (the pages enforce access themselves)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

ADMIN = "Admin"


@dataclass(frozen=True)
class NavLink:
    label: str
    url_name: str
    roles: tuple[str, ...]


LINKS: tuple[NavLink, ...] = (
    NavLink(_("My accounts"), "crm:accounts", (ADMIN, "Account Manager", "Support Agent", "Support Supervisor")),
    NavLink(
        _("Alerts"), "alerts:inbox", (ADMIN, "Account Manager", "Support Agent", "Support Supervisor", "CX Analyst")
    ),
    NavLink(
        _("Replies"),
        "responses:list",
        (ADMIN, "Account Manager", "Support Agent", "Support Supervisor", "CX Analyst"),
    ),
    NavLink(_("Coaching"), "coaching:index", (ADMIN, "Support Supervisor", "Support Agent")),
    NavLink(_("Validation"), "validation:index", (ADMIN, "Annotator", "CX Analyst")),
    NavLink(_("Model health"), "monitoring:model-cards", (ADMIN, "CX Analyst", "Privacy Officer")),
)


def links_for(user) -> list[dict]:
    """The links ``user``'s roles work with, in a fixed order; none for anonymous users."""
    if not user.is_authenticated:
        return []
    roles = set(user.groups.values_list("name", flat=True))
    if user.is_superuser:
        roles.add(ADMIN)
    return [{"label": link.label, "url": reverse(link.url_name)} for link in LINKS if roles & set(link.roles)]


def nav(request) -> dict:
    """Template context processor: ``workspace_links`` for the top bar (lazy, so pages without it pay nothing)."""
    from django.utils.functional import SimpleLazyObject

    return {"workspace_links": SimpleLazyObject(lambda: links_for(request.user))}
