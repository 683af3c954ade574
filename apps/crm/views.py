"""The account workspace pages under ``/crm/``: "My accounts", the account page, and the embeddable panel.

Every one shows emotion data, so every one is purpose-bound and names in the data-access log the accounts
(and the contacts whose messages) it showed. An account the user may not see is a 404.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_http_methods

from apps.crm import embedding, health, selectors, services
from apps.crm.charts import timeline_chart
from apps.crm.choices import REASSIGNING_TEAMS
from apps.crm.forms import HandoffNoteForm, WorkspaceFilterForm
from apps.crm.models import Account
from apps.governance import services as governance
from apps.governance.pages import bind_page, purpose_bound, session_purpose

PAGE_SIZE = 25
COLUMNS = (
    ("name", _("Account")),
    ("tier", _("Tier")),
    ("stage", _("Stage")),
    ("health", _("Emotional health")),
    ("trend", _("Trend (14 days)")),
    ("alerts", _("Open alerts")),
)


@login_required
@purpose_bound("page:crm-accounts")
def account_list(request):
    """``/crm/accounts/``: the accounts the user may see, with health, trend and open alerts; sortable, filterable."""
    form = WorkspaceFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    sort = filters.get("sort") or "health"
    descending = filters.get("dir") == "desc"
    rows = selectors.workspace_rows(
        user=request.user,
        q=filters.get("q", ""),
        stage=filters.get("stage", ""),
        tier=filters.get("tier", ""),
        at_risk=bool(filters.get("at_risk")),
        sort=sort,
        descending=descending,
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    request.accessed = ([r.account.pk for r in page.object_list], [])
    kept = {k: v for k, v in request.GET.items() if k not in ("sort", "dir", "page") and v}
    columns = []
    for key, label in COLUMNS:
        active = key == sort
        next_dir = "asc" if active and descending else ("desc" if active else _default_dir(key))
        columns.append(
            {
                "key": key,
                "label": label,
                "active": active,
                "aria_sort": ("descending" if descending else "ascending") if active else "none",
                "url": "?" + urlencode({**kept, "sort": key, "dir": next_dir}),
            }
        )
    page_query = urlencode({**kept, "sort": sort, "dir": "desc" if descending else "asc"})
    return render(
        request,
        "crm/accounts.html",
        {
            "form": form,
            "page": page,
            "rows": page.object_list,
            "columns": columns,
            "page_query": page_query,
            "legend": health.LEGEND,
        },
    )


def _default_dir(key: str) -> str:
    return "desc" if key == "alerts" else "asc"  # worst health, steepest fall, most alerts come first


@login_required
@require_http_methods(["GET", "POST"])
@purpose_bound("page:crm-account")
def account_detail(request, pk: int):
    """``/crm/accounts/<pk>/``: handoff notes first, the emotion timeline, state against the segment, emotion
    by journey stage, the messages that drove it, open alerts and escalations, and a suggested reply.
    POST writes a handoff note."""
    account = selectors.get_account_for_user(user=request.user, pk=pk)
    may_reassign = Account.objects.filter(pk=account.pk).restrict(request.user, "change").exists()
    owners = services.account_manager_candidates() if may_reassign else None
    form = HandoffNoteForm(owners=owners)
    status = 200
    if request.method == "POST":
        if not request.user.has_perm("crm.add_handoffnote"):
            raise PermissionDenied(_("Your role may not write handoff notes."))
        form = HandoffNoteForm(request.POST, owners=owners)
        if form.is_valid():
            try:
                note = services.handoff_note_create(account=account, author=request.user, **form.cleaned_data)
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                messages.success(request, _("Handoff note saved for %(account)s.") % {"account": account})
                if note.new_owner_id and note.new_owner_id != request.user.pk:
                    account.refresh_from_db()
                    if not selectors.account_list(user=request.user).filter(pk=account.pk).exists():
                        messages.info(request, _("The account is now with %(owner)s.") % {"owner": note.new_owner})
                        return redirect("crm:accounts")
                return redirect("crm:account", pk=account.pk)
        status = 400
    decision = getattr(request, "purpose_decision", None)
    context = selectors.account_context(
        user=request.user,
        account=account,
        withheld_scopes=decision.withheld_scopes if decision else (),
        full=True,
    )
    request.accessed = ([account.pk], context.contact_ids)
    return render(
        request,
        "crm/account.html",
        {
            "account": account,
            "ctx": context,
            "chart": timeline_chart(context.timeline),
            "form": form,
            "may_write": request.user.has_perm("crm.add_handoffnote"),
            "reassigning_teams": list(REASSIGNING_TEAMS),
            "legend": health.LEGEND,
        },
        status=status,
    )


def frame_ancestors() -> str:
    """The CSP ``frame-ancestors`` source list: the configured CRM origins, and this site itself."""
    origins = [o for o in getattr(settings, "CRM_EMBED_FRAME_ANCESTORS", []) or [] if o and o != "'self'"]
    return " ".join(["'self'", *origins])


@xframe_options_exempt
def embed(request, pk: int):
    """``/crm/embed/accounts/<pk>/``: a compact read-only panel for CRMs that show iframes.

    Framing is limited to the allow-list (``CRM_EMBED_FRAME_ANCESTORS``) by CSP ``frame-ancestors``; the
    global X-Frame-Options DENY is lifted for this view only. A CRM on another site opens it with a signed
    link (``?token=``, see ``apps.crm.embedding``), as its iframe gets no EmotionHub session cookie. Without a
    link, the session is used; sign-in and the purpose chooser cannot be framed, so without them the panel
    says where to go (in a new tab) instead of redirecting.
    """
    token = request.GET.get("token", "")
    if token:
        response = _embed_by_link(request, pk=pk, token=token)
    elif not request.user.is_authenticated:
        response = render(
            request, "crm/embed_gate.html", {"reason": "signin", "url": f"{reverse('login')}?next={request.path}"}
        )
    elif not session_purpose(request):
        url = f"{reverse('governance:choose-purpose')}?{urlencode({'next': reverse('crm:account', args=[pk])})}"
        response = render(request, "crm/embed_gate.html", {"reason": "purpose", "url": url})
    else:
        response = _embed_panel(request, pk=pk)
    response["Content-Security-Policy"] = f"frame-ancestors {frame_ancestors()}"
    return response


def _embed_by_link(request, *, pk: int, token: str):
    """The panel as the user a signed link names, for its purpose: checked and logged as a session view is."""
    try:
        grant = embedding.embed_link_read(token=token, account_id=pk)
        decision = bind_page(request, "page:crm-embed", user=grant.user, purpose_key=grant.purpose)
    except embedding.EmbedLinkError as exc:
        return render(
            request, "crm/embed_gate.html", {"reason": "link", "message": str(exc)}, status=410 if exc.expired else 403
        )
    except PermissionDenied as exc:
        return render(request, "crm/embed_gate.html", {"reason": "link", "message": str(exc)}, status=403)
    account = selectors.get_account_for_user(user=grant.user, pk=pk)
    context = selectors.account_context(user=grant.user, account=account, withheld_scopes=decision.withheld_scopes)
    if decision.log is not None:
        governance.access_update(log=decision.log, account_ids=[account.pk], contact_ids=context.contact_ids, count=1)
    return render(
        request,
        "crm/embed.html",
        {"account": account, "ctx": context, "legend": health.LEGEND, "purpose": grant.purpose, "via_link": True},
    )


@purpose_bound("page:crm-embed")
def _embed_panel(request, pk: int):
    account = selectors.get_account_for_user(user=request.user, pk=pk)
    decision = getattr(request, "purpose_decision", None)
    context = selectors.account_context(
        user=request.user, account=account, withheld_scopes=decision.withheld_scopes if decision else ()
    )
    request.accessed = ([account.pk], context.contact_ids)
    return render(
        request,
        "crm/embed.html",
        {"account": account, "ctx": context, "legend": health.LEGEND, "purpose": session_purpose(request)},
    )
