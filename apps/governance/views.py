"""The purpose chooser: a signed-in user states why they are about to look at emotion data."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from apps.core.security import safe_next
from apps.governance import services
from apps.governance.pages import SESSION_KEY, session_purpose


@login_required
def choose_purpose(request):
    """``/purpose/``: the purposes this user's role may use now; the choice holds for the session."""
    permitted = [
        p for p in services.active_purposes() if services.purpose_decide(user=request.user, purpose_key=p.key).allowed
    ]
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next") or "", "/")
    if request.method == "POST":
        key = request.POST.get("purpose", "")
        names = {p.key: p.name for p in permitted}
        if key in names:
            request.session[SESSION_KEY] = key
            messages.success(
                request,
                f"Purpose for this session: {names[key]}. Every view of emotion data is logged with it.",
            )
            return redirect(next_url)
        messages.error(request, "Choose one of the purposes listed.")
    return render(
        request,
        "governance/choose_purpose.html",
        {
            "permitted": permitted,
            "current": session_purpose(request),
            "next": next_url,
        },
        status=200 if request.method == "GET" or permitted else 403,
    )
