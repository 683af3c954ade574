"""Demo coaching data: team "Support EU" (supervisor.sam; agent.dana, agent.emil), one signed and one draft review.

Runs after the core demo seed (users, messages and scores exist). Idempotent and deterministic: the team and
profiles are keyed on their names and users, the reviews on (agent, period); a second run adds nothing.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from apps.coaching import metrics, services
from apps.coaching.models import CoachingReview, Team

TEAM = "Support EU"
SUPERVISOR = "supervisor.sam"
AGENTS = {"agent.dana": "dana@emotionhub.demo", "agent.emil": "emil@emotionhub.demo"}


def _pick(conversations, count: int) -> list[metrics.Conversation]:
    """Conversations worth discussing: the ones that started negative first, then the rest, in time order."""
    ranked = sorted(conversations, key=lambda c: (not c.started_negative, c.first_reply_at, c.thread_id))
    return ranked[:count]


def seed(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Create (or leave in place) the demo team, agent profiles and reviews; returns counts afterwards."""
    User = get_user_model()
    today = timezone.localdate(now) if now else timezone.localdate()
    users = {u.username: u for u in User.objects.filter(username__in=[SUPERVISOR, *AGENTS])}
    if len(users) < 1 + len(AGENTS):
        return {"teams": Team.objects.count(), "reviews": CoachingReview.objects.count()}
    sam = users[SUPERVISOR]
    with transaction.atomic():
        team = Team.objects.filter(name=TEAM).first()
        team = services.team_save(
            team=team,
            name=TEAM,
            description=team.description if team else "First-line support for European customers.",
            supervisors=[sam],
        )
        profiles = {
            name: services.agent_profile_save(user=users[name], team=team, handles=[handle])
            for name, handle in AGENTS.items()
        }
        # The last full 30 days before today: stable for a day, like the core seed.
        period = metrics.Period(today - dt.timedelta(days=30), today - dt.timedelta(days=1))
        _signed_review(sam, profiles["agent.dana"], period)
        _draft_review(sam, profiles["agent.emil"], period)
    return {"teams": Team.objects.count(), "reviews": CoachingReview.objects.count()}


def _refs(agent, period, count: int, note: str) -> list[services.ConversationRef]:
    figures = metrics.agents_metrics([agent], period)[agent.pk]
    return [
        services.ConversationRef(source_id=c.source_id, thread_id=c.thread_id, note=note)
        for c in _pick(figures.conversations, count)
    ]


def _signed_review(sam, dana, period) -> None:
    if CoachingReview.objects.filter(agent=dana, period_start=period.start, period_end=period.end).exists():
        return
    review = services.review_create(
        supervisor=sam,
        agent=dana,
        period_start=period.start,
        period_end=period.end,
        notes=(
            "Strong recoveries on billing threads: naming the customer's situation before the fix worked well. "
            "Two customers came back within a week about the same export problem; let's close the loop on those."
        ),
        conversations=_refs(dana, period, 2, "Good recovery: acknowledgement first, then the fix."),
        actions=[
            services.ActionInput(
                text="Send a follow-up a day after closing export tickets.",
                owner_id=dana.user_id,
                due_date=period.end + dt.timedelta(days=14),
            ),
            services.ActionInput(
                text="Check that the export known-issue article is linked in the macro.",
                owner_id=sam.pk,
                due_date=period.end + dt.timedelta(days=7),
            ),
        ],
    )
    services.review_share(review=review, user=sam)
    services.review_sign(review=review, user=dana.user, comment="Agreed. The follow-up reminder will help.")
    services.review_sign(review=review, user=sam)


def _draft_review(sam, emil, period) -> None:
    if CoachingReview.objects.filter(agent=emil, period_start=period.start, period_end=period.end).exists():
        return
    services.review_create(
        supervisor=sam,
        agent=emil,
        period_start=period.start,
        period_end=period.end,
        notes="Draft: a run of hostile outage threads on one shift. Talk about pacing and asking for a handover.",
        conversations=_refs(emil, period, 1, "Hostile start; see how the customer ended."),
        actions=[
            services.ActionInput(
                text="Pair on one outage thread next week.", owner_id=sam.pk, due_date=period.end + dt.timedelta(days=7)
            )
        ],
    )
