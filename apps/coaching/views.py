"""The coaching pages: the overview, an agent's figures, reviews and their sign-off, team reviews.

Every page first fetches what it shows through the selectors (someone who may not see it gets a 404), then
binds the session's purpose, which must be *coaching*: the read is refused (403) and logged when the role may
not use it, and logged with the accounts and contacts whose customer outcomes it showed when allowed.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.coaching import metrics, selectors, services
from apps.coaching.models import AgentProfile
from apps.governance import services as governance
from apps.governance.pages import bind_page, session_purpose

COACHING = "coaching"
ACTION_ROWS = 3


# --- purpose binding ----------------------------------------------------------------------------------------


def _choose(request):
    if session_purpose(request):
        messages.info(request, _("Coaching pages are shown only for the purpose Coaching. Choose it to continue."))
    return redirect(f"{reverse('governance:choose-purpose')}?{urlencode({'next': request.get_full_path()})}")


def _bind(request, resource: str):
    """The allowed decision for the coaching purpose, or None when the session has not chosen it."""
    if session_purpose(request) != COACHING:
        return None
    return bind_page(request, resource)  # refused: PermissionDenied (403), logged


def _log(decision, conversations) -> None:
    accounts = [c.account_id for c in conversations if c.account_id]
    contacts = [c.contact_id for c in conversations if c.contact_id]
    if decision.log is not None:
        governance.access_update(
            log=decision.log, account_ids=accounts, contact_ids=contacts, count=len(set(accounts)) + len(set(contacts))
        )


def _period(request) -> tuple[metrics.Period, str]:
    """The period asked for, or the last 30 days with the error saying what was wrong."""
    try:
        return metrics.period_parse(request.GET), ""
    except ValueError as exc:
        return metrics.period_last(30), str(exc)


def _errors(request, exc: ValidationError | PermissionDenied) -> None:
    if isinstance(exc, PermissionDenied):
        messages.error(request, str(exc) or _("You may not do that."))
        return
    for errors in exc.message_dict.values() if hasattr(exc, "error_dict") else [exc.messages]:
        for error in errors:
            messages.error(request, error)


def _common(period: metrics.Period, period_error: str = "") -> dict:
    return {
        "period": period,
        "period_error": period_error,
        "presets": metrics.PRESET_DAYS,
        "explanations": metrics.EXPLANATIONS,
        "not_used": metrics.NOT_USED,
        "thresholds": metrics.thresholds(),
    }


def _rows(figures: metrics.AgentMetrics):
    """The conversation list with the names of sources and accounts (two queries)."""
    sources, accounts = selectors.conversation_labels(figures.conversations)
    return [
        {"c": c, "source": sources.get(c.source_id, ""), "account": accounts.get(c.account_id, "")}
        for c in figures.conversations
    ]


# --- pages --------------------------------------------------------------------------------------------------


@login_required
def index(request):
    """``/coaching/``: a supervisor's teams, most exposed agents first; an agent's own figures and reviews."""
    period, period_error = _period(request)
    supervises = selectors.teams_visible_to(request.user).exists()
    own = selectors.agents_visible_to(request.user).filter(user=request.user).first()
    if not supervises and own is None:
        raise Http404("No coaching data for you.")
    decision = _bind(request, "page:coaching-overview")
    if decision is None:
        return _choose(request)
    overview = selectors.overview_for(request.user, period) if supervises else []
    own_figures = selectors.agent_metrics(own, period) if own else None
    shown = [c for o in overview for _a, f in o.rows for c in f.conversations]
    _log(decision, shown + (own_figures.conversations if own_figures else []))
    return render(
        request,
        "coaching/index.html",
        {
            **_common(period, period_error),
            "overview": overview,
            "own": own,
            "own_figures": own_figures,
            "own_reviews": list(selectors.reviews_visible_to(request.user).filter(agent__user=request.user)[:50]),
            "supervised_reviews": list(
                selectors.reviews_visible_to(request.user).exclude(agent__user=request.user)[:50]
            )
            if supervises
            else [],
        },
    )


@login_required
def agent_detail(request, pk: int):
    """``/coaching/agents/<id>/?period=``: an agent's figures and conversations over a period."""
    agent = selectors.get_agent_for_user(request.user, pk)
    period, period_error = _period(request)
    decision = _bind(request, "page:coaching-agent")
    if decision is None:
        return _choose(request)
    figures = selectors.agent_metrics(agent, period)
    _log(decision, figures.conversations)
    return render(
        request,
        "coaching/agent.html",
        {
            **_common(period, period_error),
            "agent": agent,
            "figures": figures,
            "rows": _rows(figures),
            "can_review": selectors.agents_coachable_by(request.user).filter(pk=agent.pk).exists(),
            "reviews": list(selectors.reviews_visible_to(request.user).filter(agent=agent)[:50]),
        },
    )


def _owners(agent: AgentProfile) -> list:
    ids = {agent.user_id}
    if agent.team_id:
        ids |= set(agent.team.supervisors.values_list("pk", flat=True))
    return list(get_user_model().objects.filter(pk__in=ids).order_by("username"))


def _conversations_from(post) -> list[services.ConversationRef]:
    refs = []
    for value in post.getlist("conversation"):
        source_id, _sep, thread_id = value.partition(":")
        if not source_id.isdigit() or not thread_id:
            raise ValidationError({"conversations": _("A conversation was not recognised: %(v)s.") % {"v": value}})
        refs.append(
            services.ConversationRef(
                source_id=int(source_id), thread_id=thread_id, note=post.get(f"note:{value}", "").strip()[:500]
            )
        )
    return refs


def _row_count(post) -> int:
    value = post.get("action_rows", "")
    return min(int(value), 50) if value.isdigit() else ACTION_ROWS


def _actions_from(post) -> list[services.ActionInput]:
    actions = []
    for n in range(_row_count(post)):
        text = post.get(f"action_text_{n}", "").strip()
        owner, due = post.get(f"action_owner_{n}", "").strip(), post.get(f"action_due_{n}", "").strip()
        if not (text or due):
            continue
        if not (text and owner.isdigit() and due):
            raise ValidationError({"actions": _("Action %(n)s needs a text, an owner and a due date.") % {"n": n + 1}})
        try:
            due_date = dt.date.fromisoformat(due)
        except ValueError:
            raise ValidationError({"actions": _("Action %(n)s: the due date is not a date.") % {"n": n + 1}}) from None
        actions.append(services.ActionInput(text=text, owner_id=int(owner), due_date=due_date))
    return actions


def _action_rows(actions, extra: int = ACTION_ROWS) -> list[dict]:
    rows = [{"text": a.text, "owner_id": a.owner_id, "due": a.due_date.isoformat()} for a in actions]
    return [*rows, *({"text": "", "owner_id": None, "due": ""} for _ in range(max(extra - len(rows), 1)))]


def _posted_rows(post) -> list[dict]:
    """The action rows as they were typed, so a refused form comes back with what was entered."""
    rows = []
    for n in range(_row_count(post)):
        owner = post.get(f"action_owner_{n}", "")
        rows.append(
            {
                "text": post.get(f"action_text_{n}", ""),
                "owner_id": int(owner) if owner.isdigit() else None,
                "due": post.get(f"action_due_{n}", ""),
            }
        )
    return rows or _action_rows([])


def _form_context(agent, period, figures, *, review=None, post=None) -> dict:
    """What the review form shows: the period's conversations to pick from, notes, action rows."""
    if post is not None:
        chosen = set(post.getlist("conversation"))
        notes_of = {v: post.get(f"note:{v}", "") for v in chosen}
        notes = post.get("notes", "")
        rows = _posted_rows(post)
    elif review is not None:
        chosen = {f"{c.source_id}:{c.thread_id}" for c in review.conversations.all()}
        notes_of = {f"{c.source_id}:{c.thread_id}": c.note for c in review.conversations.all()}
        notes, rows = review.notes, _action_rows(list(review.actions.all()))
    else:
        chosen, notes_of, notes, rows = set(), {}, "", _action_rows([])
    conversations = []
    for row in _rows(figures):
        value = f"{row['c'].source_id}:{row['c'].thread_id}"
        conversations.append({**row, "value": value, "checked": value in chosen, "note": notes_of.get(value, "")})
    return {
        **_common(period),
        "agent": agent,
        "review": review,
        "figures": figures,
        "conversations": conversations,
        "notes": notes,
        "action_rows": rows,
        "owners": _owners(agent),
    }


@login_required
def review_new(request):
    """``/coaching/reviews/new/?agent=&period=``: the supervisor picks conversations, writes notes and actions."""
    agent_id = request.GET.get("agent", "")
    if not agent_id.isdigit():
        raise Http404("Which agent? Pass ?agent=<id>.")
    agent = selectors.agents_coachable_by(request.user).filter(pk=int(agent_id)).first()
    if agent is None:
        raise Http404("No such agent.")
    period, period_error = _period(request)
    decision = _bind(request, "page:coaching-review-new")
    if decision is None:
        return _choose(request)
    figures = selectors.agent_metrics(agent, period)
    _log(decision, figures.conversations)
    status = 200
    if request.method == "POST" and not period_error:
        try:
            review = services.review_create(
                supervisor=request.user,
                agent=agent,
                period_start=period.start,
                period_end=period.end,
                notes=request.POST.get("notes", ""),
                conversations=_conversations_from(request.POST),
                actions=_actions_from(request.POST),
            )
        except (ValidationError, PermissionDenied) as exc:
            _errors(request, exc)
            status = 400
        else:
            messages.success(
                request, _("Draft review saved. Share it with %(agent)s when it is ready.") % {"agent": agent}
            )
            return redirect("coaching:review", pk=review.pk)
    context = _form_context(agent, period, figures, post=request.POST if request.method == "POST" else None)
    context["period_error"] = period_error
    return render(request, "coaching/review_form.html", context, status=status)


@login_required
def review_edit(request, pk: int):
    """``/coaching/reviews/<id>/edit/``: the supervisor changes a draft; shared or signed ones are refused."""
    review = selectors.get_review_for_user(request.user, pk)
    if review.supervisor_id != request.user.pk:
        raise Http404("No such review.")
    decision = _bind(request, "page:coaching-review-edit")
    if decision is None:
        return _choose(request)
    period = metrics.Period(review.period_start, review.period_end)
    figures = selectors.agent_metrics(review.agent, period)
    _log(decision, figures.conversations)
    status = 200
    if not review.is_editable:
        messages.error(request, str(services._locked_error(review).messages[0]))
        return redirect("coaching:review", pk=review.pk)
    if request.method == "POST":
        try:
            services.review_update(
                review=review,
                user=request.user,
                notes=request.POST.get("notes", ""),
                conversations=_conversations_from(request.POST),
                actions=_actions_from(request.POST),
            )
        except (ValidationError, PermissionDenied) as exc:
            _errors(request, exc)
            status = 400
        else:
            messages.success(request, _("Review saved."))
            return redirect("coaching:review", pk=review.pk)
    context = _form_context(
        review.agent, period, figures, review=review, post=request.POST if request.method == "POST" else None
    )
    return render(request, "coaching/review_form.html", context, status=status)


@login_required
def review_detail(request, pk: int):
    """``/coaching/reviews/<id>/``: the review, its conversations with their outcomes, and the sign-off."""
    review = selectors.get_review_for_user(request.user, pk)
    decision = _bind(request, "page:coaching-review")
    if decision is None:
        return _choose(request)
    figures = selectors.agent_metrics(review.agent, metrics.Period(review.period_start, review.period_end))
    by_key = {c.key: c for c in figures.conversations}
    discussed = [(d, by_key.get((d.source_id, d.thread_id))) for d in review.conversations.all()]
    _log(decision, [c for _d, c in discussed if c is not None])
    return render(
        request,
        "coaching/review.html",
        {
            "review": review,
            "discussed": discussed,
            "is_supervisor": review.supervisor_id == request.user.pk,
            "is_agent": review.agent.user_id == request.user.pk,
            "explanations": metrics.EXPLANATIONS,
        },
    )


REVIEW_VERBS = {
    "share": lambda review, user, post: services.review_share(review=review, user=user),
    "sign": lambda review, user, post: services.review_sign(review=review, user=user, comment=post.get("comment", "")),
}
REVIEW_DONE = {"share": _("Shared with the agent."), "sign": _("Signed.")}


@login_required
@require_POST
def review_act(request, pk: int, verb: str):
    """Share (the supervisor) or sign (the agent with a comment, or the supervisor); refusals say why."""
    if verb not in REVIEW_VERBS:
        raise Http404
    review = selectors.reviews_writable_by(request.user).filter(pk=pk).first()
    if review is None:
        raise Http404("No such review.")
    if session_purpose(request) != COACHING:
        return _choose(request)
    try:
        review = REVIEW_VERBS[verb](review, request.user, request.POST)
    except (ValidationError, PermissionDenied) as exc:
        _errors(request, exc)
    else:
        done = REVIEW_DONE[verb]
        if review.is_signed_by_both:
            done = _("Signed. The review is now signed by both and read-only.")
        messages.success(request, done)
    return redirect("coaching:review", pk=pk)


@login_required
def team_review(request, pk: int):
    """``/coaching/teams/<id>/review/``: the team's figures for a period, its team reviews, a new one."""
    team = selectors.get_team_for_user(request.user, pk)
    period, period_error = _period(request)
    decision = _bind(request, "page:coaching-team-review")
    if decision is None:
        return _choose(request)
    overview = next((o for o in selectors.overview_for(request.user, period) if o.team.pk == team.pk), None)
    rows = overview.rows if overview else []
    _log(decision, [c for _a, f in rows for c in f.conversations])
    can_write = selectors.teams_visible_to(request.user, "change").filter(pk=team.pk).exists()
    status = 200
    if request.method == "POST":
        if not can_write:
            raise Http404("No such team.")
        try:
            services.team_review_create(
                team=team,
                author=request.user,
                period_start=period.start,
                period_end=period.end,
                notes=request.POST.get("notes", ""),
                actions=_actions_from(request.POST),
            )
        except (ValidationError, PermissionDenied) as exc:
            _errors(request, exc)
            status = 400
        else:
            messages.success(request, _("Team review saved as a draft."))
            return redirect(f"{reverse('coaching:team-review', args=[team.pk])}?{period.query()}")
    reviews = list(selectors.team_reviews_visible_to(request.user).filter(team=team)[:50])
    for review in reviews:
        review.action_rows = _action_rows(list(review.actions.all()))
    people = sorted(
        {*team.supervisors.all(), *(a.user for a in team.members.select_related("user"))}, key=lambda u: u.username
    )
    return render(
        request,
        "coaching/team_review.html",
        {
            **_common(period, period_error),
            "team": team,
            "rows": rows,
            "totals": _team_totals([f for _a, f in rows]),
            "reviews": reviews,
            "can_write": can_write,
            "owners": people,
            "action_rows": _action_rows([]),
            "notes": request.POST.get("notes", "") if request.method == "POST" else "",
        },
        status=status,
    )


def _team_totals(figures: list[metrics.AgentMetrics]) -> dict:
    """Pooled figures of the team (sums of the parts, not an average of agents' rates)."""
    pooled = metrics.AgentMetrics(agent_id=0, period=figures[0].period if figures else metrics.period_last(30))
    pooled.conversations = [c for f in figures for c in f.conversations]
    return pooled.summary() | {"agents_flagged": sum(f.needs_support for f in figures)}


TEAM_VERBS = ("save", "sign")


@login_required
@require_POST
def team_review_act(request, pk: int, verb: str):
    """Save a draft team review's notes and actions, or sign it (a supervisor of the team)."""
    if verb not in TEAM_VERBS:
        raise Http404
    review = selectors.get_team_review_for_user(request.user, pk, "change")
    if session_purpose(request) != COACHING:
        return _choose(request)
    try:
        if verb == "save":
            services.team_review_update(
                review=review,
                user=request.user,
                notes=request.POST.get("notes", ""),
                actions=_actions_from(request.POST),
            )
            messages.success(request, _("Team review saved."))
        else:
            services.team_review_sign(review=review, user=request.user)
            messages.success(request, _("Team review signed; it is now read-only."))
    except (ValidationError, PermissionDenied) as exc:
        _errors(request, exc)
    query = f"period=custom&from={review.period_start}&to={review.period_end}"
    return redirect(f"{reverse('coaching:team-review', args=[review.team_id])}?{query}#team-review-{review.pk}")
