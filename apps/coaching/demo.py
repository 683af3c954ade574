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
        _seed_rough_shift(AGENTS["agent.emil"], today - dt.timedelta(days=1))
        _signed_review(sam, profiles["agent.dana"], period)
        _draft_review(sam, profiles["agent.emil"], period)
    return {"teams": Team.objects.count(), "reviews": CoachingReview.objects.count()}


#: Emil's rough shift yesterday morning: four hostile threads in a row (what the support flag is for).
ROUGH_SHIFT = (
    # customer's opening, the agent's reply, the customer's last word
    (
        "This is the third outage this week and our whole team is idle. Absolutely unacceptable.",
        "I'm sorry, I understand how disruptive this is. Engineering is on it and I'll update you within the hour.",
        "Thanks, it works again now. Appreciate the quick updates.",
    ),
    (
        "I am furious. Invoices are wrong AGAIN and nobody answers.",
        "Here is the corrected invoice.",
        "Still wrong. This is a disgrace.",
    ),
    (
        "This is disgusting. You charged us twice and nobody cares.",
        "I apologise for the double charge; the refund is on its way today.",
        "Fine. Let's see if it actually arrives.",
    ),
    (
        "I hate this. Your product is garbage and your support is worse.",
        "Thanks for your patience. The export fix is deployed; could you try again?",
        "It worked, thank you!",
    ),
)


def _seed_rough_shift(handle: str, day: dt.date) -> None:
    """Four hostile ticket threads answered by ``handle`` within one morning; scored like any message."""
    from apps.crm.models import Contact
    from apps.scoring import services as scoring_services
    from apps.sources.models import Message, Source

    source = Source.objects.filter(slug="zendesk").first()
    contacts = list(Contact.objects.filter(account__external_id__startswith="DEMO-").order_by("pk")[:4])
    if source is None or len(contacts) < len(ROUGH_SHIFT):
        return
    start = dt.datetime.combine(day, dt.time(9, 0), tzinfo=timezone.get_current_timezone())
    rows = []
    for n, ((opening, reply, last), contact) in enumerate(zip(ROUGH_SHIFT, contacts, strict=True)):
        at = start + dt.timedelta(minutes=40 * n)
        thread = f"demo-coaching-{day:%Y%m%d}-{n}"
        for turn, (role, text, minutes) in enumerate(
            (("customer", opening, 0), ("agent", reply, 8), ("customer", last, 30))
        ):
            rows.append(
                Message(
                    source=source,
                    external_id=f"{thread}-{turn}",
                    account_id=contact.account_id,
                    contact=contact if role == "customer" else None,
                    author_role=role,
                    author_handle=contact.email if role == "customer" else handle,
                    text=text,
                    language="en",
                    thread_id=thread,
                    created_at_source=at + dt.timedelta(minutes=minutes),
                    status="received" if role == "customer" else "not_scored",
                )
            )
    Message.objects.bulk_create(rows, ignore_conflicts=True)
    ids = list(
        Message.objects.filter(external_id__in=[r.external_id for r in rows], status="received").values_list(
            "pk", flat=True
        )
    )
    scoring_services.messages_score(message_ids=ids)  # customers' messages only: agents' are never scored


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
