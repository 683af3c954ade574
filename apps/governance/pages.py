"""Purpose binding for server-rendered pages and the admin: the session carries a chosen purpose.

``purpose_bound`` wraps a page view (and ``PurposeBoundAdminMixin`` the admin's emotion-data views):
without a chosen purpose the user is sent to choose one; a purpose their role may not use is refused
(403) and logged; an allowed view is logged with the accounts and contacts it showed.
"""

from __future__ import annotations

import functools
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse

from apps.governance import services

SESSION_KEY = "emotionhub_purpose"


def session_purpose(request) -> str:
    return request.session.get(SESSION_KEY, "")


def _choose_url(request) -> str:
    return f"{reverse('governance:choose-purpose')}?{urlencode({'next': request.get_full_path()})}"


def bind_page(
    request, resource: str, *, account_ids=(), contact_ids=(), count: int = 0, user=None, purpose_key: str = ""
):
    """Decide and log a page read for the session's purpose (or, for a signed link, ``user`` and ``purpose_key``);
    raises PermissionDenied when refused.

    Returns the decision, or None when no purpose is chosen yet (the caller redirects to choose one).
    """
    key = purpose_key or session_purpose(request)
    if not key:
        return None
    user = user or request.user
    decision = services.purpose_decide(user=user, purpose_key=key)
    services.access_record(
        user=user,
        decision=decision,
        resource=resource,
        request=request,
        account_ids=account_ids,
        contact_ids=contact_ids,
        count=count,
    )
    if not decision.allowed:
        raise PermissionDenied(decision.reason)
    return decision


def purpose_bound(resource: str):
    """Decorator for page views that show emotion data. The view may set ``request.accessed`` =
    (account_ids, contact_ids) to have them logged."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if not session_purpose(request):
                return redirect(_choose_url(request))
            decision = bind_page(request, resource)
            request.purpose_decision = decision
            response = view(request, *args, **kwargs)
            accounts, contacts = getattr(request, "accessed", ((), ()))
            if decision.log is not None and (accounts or contacts):
                services.access_update(
                    log=decision.log,
                    account_ids=accounts,
                    contact_ids=contacts,
                    count=len(set(accounts)) + len(set(contacts)),
                )
            return response

        return wrapped

    return decorator


class PurposeBoundAdminMixin:
    """Admin views of emotion data ask for the session's purpose and are logged like every other read."""

    def _bound(self, request, view, resource: str, *args, **kwargs):
        if not session_purpose(request):
            return redirect(_choose_url(request))
        bind_page(request, f"admin:{self.model._meta.model_name}-{resource}")
        return view(request, *args, **kwargs)

    def changelist_view(self, request, extra_context=None):
        return self._bound(request, super().changelist_view, "list", extra_context=extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return self._bound(request, super().change_view, "detail", object_id, form_url, extra_context=extra_context)
