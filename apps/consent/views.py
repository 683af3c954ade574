"""The public privacy pages: the disclosure, the opt-out request and its confirmation. No sign-in, no JavaScript."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from apps.consent import selectors, services
from apps.consent.forms import OptOutConfirmForm, OptOutRequestForm
from apps.consent.hashing import normalise_email
from apps.core.security import client_ip


def privacy(request):
    """``/privacy/``: what we analyse, why, who may use it, how long we keep it, and how to opt out."""
    return render(request, "consent/privacy.html", {"disclosure": selectors.privacy_disclosure()})


@never_cache
@require_http_methods(["GET", "POST"])
def opt_out(request):
    """``/privacy/opt-out/``: ask for an opt-out link. Known or not, every address gets the same answer."""
    if request.method == "GET":
        return render(request, "consent/opt_out.html", {"form": OptOutRequestForm()})
    form = OptOutRequestForm(request.POST)
    email = normalise_email(form.cleaned_data["email"]) if form.is_valid() else ""
    # Both limits count every request, known address or not, so a 429 tells nothing either.
    allowed = services.optout_rate_hit(scope="ip", key=client_ip(request), limit=services.OPTOUT_LIMIT_PER_IP)
    if email:
        allowed &= services.optout_rate_hit(scope="email", key=email, limit=services.OPTOUT_LIMIT_PER_EMAIL)
    if not allowed:
        return render(request, "consent/opt_out_limited.html", status=429)
    if not email:
        return render(request, "consent/opt_out.html", {"form": form}, status=400)
    services.optout_link_request(email=email)
    return render(request, "consent/opt_out_sent.html")


@never_cache
@require_http_methods(["GET", "POST"])
def opt_out_confirm(request, token: str):
    """``/privacy/opt-out/confirm/<token>/``: choose all analysis or some channels, and confirm."""
    try:
        services.optout_request_for_token(token)
    except services.OptOutLinkError as exc:
        return _link_problem(request, exc)
    channels = selectors.analysed_channels()
    form = OptOutConfirmForm(request.POST if request.method == "POST" else None, channels=channels)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.optout_request_redeem(token=token, channels=form.chosen_channels())
        except services.OptOutLinkError as exc:
            return _link_problem(request, exc)
        return render(request, "consent/opt_out_done.html", {"report": report})
    return render(request, "consent/opt_out_confirm.html", {"form": form}, status=400 if form.errors else 200)


def _link_problem(request, exc: services.OptOutLinkError):
    return render(request, "consent/opt_out_link_problem.html", {"problem": exc.kind}, status=exc.status)
