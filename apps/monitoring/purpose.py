"""The validity report and the drift page are read for one purpose only: analytics.

The governance machinery decides whether the user's role may use a purpose and logs every read; this module
adds that these reports accept no other purpose (reading churn against emotions "for support" is not support).
"""

from __future__ import annotations

import functools
from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from rest_framework import exceptions

from apps.governance import services as governance
from apps.governance.pages import purpose_bound, session_purpose

ANALYTICS = "analytics"


def analytics_page(resource: str):
    """Like ``purpose_bound``, but the session's purpose must be analytics (else the user is asked to choose it)."""

    def decorator(view):
        bound = purpose_bound(resource)(view)

        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            current = session_purpose(request)
            if current and current != ANALYTICS:
                messages.info(request, _("This report is for analytics: choose the Analytics purpose to open it."))
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse('governance:choose-purpose')}?{query}")
            return bound(request, *args, **kwargs)

        return wrapped

    return decorator


def api_bind_analytics(request, *, resource: str):
    """Decide and log an API read that must state ``X-Purpose: analytics``; raises 403 (logged) otherwise.
    Returns the access-log row, for the caller to add whose data was read."""
    key = request.headers.get(governance.PURPOSE_HEADER, "")
    decision = governance.purpose_decide(user=request.user, purpose_key=key, only=ANALYTICS)
    governance.access_record(user=request.user, decision=decision, resource=resource, request=request)
    if not decision.allowed:
        raise exceptions.PermissionDenied(decision.reason)
    return decision.log
