"""Reads of the retention app: legal holds in force, which policy governs which message, what is due.

Other apps import ``holds_for`` and ``held_message_filter`` (data-subject erasure must skip held data).
"""

from __future__ import annotations

import datetime as dt
from functools import reduce
from operator import or_

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from apps.retention.choices import RetentionAction
from apps.retention.models import LegalHold, RetentionPolicy
from apps.scoring.models import EmotionScore
from apps.sources.models import Message

# --- legal holds -------------------------------------------------------------------------------------


def holds_in_force(*, now: dt.datetime | None = None) -> QuerySet[LegalHold]:
    """Every legal hold that applies at ``now``."""
    now = now or timezone.now()
    return LegalHold.objects.filter(is_active=True, starts_at__lte=now).filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=now)
    )


def holds_for(*, contact=None, account=None, source=None, now: dt.datetime | None = None) -> QuerySet[LegalHold]:
    """The holds in force that cover any of the data of ``contact``, ``account`` or ``source``.

    A hold covers what matches every scope field it sets. So for a contact: the holds on that contact
    and on its account, and a hold on a source (or an account and a source) when the contact has
    messages from that source. With no argument: every hold in force.
    """
    holds = holds_in_force(now=now)
    known = {
        "contact_id": getattr(contact, "pk", None),
        "account_id": getattr(account, "pk", None) or getattr(contact, "account_id", None),
        "source_id": getattr(source, "pk", None),
    }
    if not any(known.values()):
        return holds
    if known["contact_id"] and getattr(account, "pk", None) and contact.account_id != account.pk:
        return holds.none()
    for name, value in known.items():
        if value:
            holds = holds.filter(Q(**{f"{name}__isnull": True}) | Q(**{name: value}))
    if known["account_id"]:
        # A hold on one of the account's contacts covers part of the account's data.
        holds = holds.filter(Q(contact__isnull=True) | Q(contact__account_id=known["account_id"]))
    given = Q(**{name: value for name, value in known.items() if value})
    covered = []
    for hold in holds:
        extra = {name: getattr(hold, name) for name, value in known.items() if not value and getattr(hold, name)}
        if known["account_id"]:
            extra.pop("contact_id", None)  # one of the account's contacts (filtered above)
        # A hold narrower than what was asked about covers it only where the two meet in messages.
        if not extra or Message.objects.filter(given, **extra).exists():
            covered.append(hold.pk)
    return LegalHold.objects.filter(pk__in=covered)


def under_hold_q(*, now: dt.datetime | None = None) -> Q:
    """A Q on Message matching the messages under any hold in force (matches nothing without holds)."""
    scopes = [hold.message_q() for hold in holds_in_force(now=now)]
    return reduce(or_, scopes) if scopes else Q(pk__in=[])


def held_message_filter(*, now: dt.datetime | None = None) -> Q:
    """A Q on Message that leaves out every message under a hold in force: ``filter(held_message_filter())``."""
    scopes = [hold.message_q() for hold in holds_in_force(now=now)]
    return ~reduce(or_, scopes) if scopes else Q()


# --- which policy governs which message --------------------------------------------------------------


def ranked_policies(*, include: RetentionPolicy | None = None) -> list[RetentionPolicy]:
    """The active policies, the one that wins first; ``include`` is ranked among them even if inactive."""
    policies = list(RetentionPolicy.objects.filter(is_active=True).select_related("segment"))
    if include is not None and all(p.pk != include.pk for p in policies):
        policies.append(include)
    return sorted(policies, key=lambda p: (p.priority, p.pk or 0))


def governed_q(policy: RetentionPolicy, ranked: list[RetentionPolicy]) -> Q:
    """A Q on Message: the messages ``policy`` governs, given the ranking.

    A message belongs to the first policy in ``ranked`` whose scope it is in. Once a policy has
    anonymised a message, the message stays with that policy (anonymising detaches the contact, and a
    vulnerable contact's message must not fall to a laxer policy for its scores).
    """
    ranked_ids = [p.pk for p in ranked]
    in_scope = policy.scope_q()
    for earlier in ranked[: ranked_ids.index(policy.pk)]:
        in_scope &= ~earlier.scope_q()
    return Q(anonymisation__policy_id=policy.pk) | (~Q(anonymisation__policy_id__in=ranked_ids) & in_scope)


def ungoverned_q(ranked: list[RetentionPolicy]) -> Q:
    """A Q on Message: the messages no policy in ``ranked`` governs."""
    if not ranked:
        return Q()
    return ~reduce(or_, [governed_q(p, ranked) for p in ranked])


def policy_matches(policy: RetentionPolicy, *, ranked: list[RetentionPolicy] | None = None) -> QuerySet[Message]:
    """The messages ``policy`` governs, before any age cut, held or not (an inactive one: as if it were active)."""
    ranked = ranked if ranked is not None else ranked_policies(include=policy)
    return Message.objects.filter(governed_q(policy, ranked))


# --- what is due -------------------------------------------------------------------------------------


def not_expired_q(now: dt.datetime) -> Q:
    """Messages that are not ephemeral content past its expiry (that is the ephemeral purge's)."""
    return Q(expires_at__isnull=True) | Q(expires_at__gt=now)


def purge_candidates(
    policy: RetentionPolicy, now: dt.datetime, *, ranked: list[RetentionPolicy] | None = None
) -> dict[str, QuerySet | None]:
    """What ``policy`` would purge at ``now``.

    - ``text``: messages to anonymise (not yet anonymised) or delete (anonymised or not), by ``action``;
      ``None`` if the policy keeps text;
    - ``scores``: emotion scores older than the policy keeps them; ``None`` if it keeps scores;
    - ``held``: messages that are due for either but under a legal hold, so left alone.
    """
    governed = policy_matches(policy, ranked=ranked)
    unheld = governed.filter(held_message_filter(now=now))
    due = Q(pk__in=[])
    text = scores = None
    if policy.keep_text_days is not None:
        text_due = Q(created_at_source__lt=now - dt.timedelta(days=policy.keep_text_days))
        if policy.action == RetentionAction.ANONYMISE:
            text_due &= Q(anonymisation__isnull=True) & not_expired_q(now)
        text = unheld.filter(text_due)
        due |= text_due
    if policy.keep_scores_days is not None:
        score_cut = now - dt.timedelta(days=policy.keep_scores_days)
        scores = EmotionScore.objects.filter(message__in=unheld.values("pk"), message_created_at__lt=score_cut)
        due |= Exists(EmotionScore.objects.filter(message=OuterRef("pk"), message_created_at__lt=score_cut))
    held = governed.filter(under_hold_q(now=now)).filter(due)
    return {"text": text, "scores": scores, "held": held}


def ephemeral_candidates(
    now: dt.datetime, *, ranked: list[RetentionPolicy]
) -> tuple[list[tuple[RetentionPolicy | None, QuerySet[Message]]], QuerySet[Message]]:
    """Ephemeral content past its expiry and not yet anonymised, whatever the policies say.

    Returns ``([(governing policy or None, messages), …], held messages)``; the policy is recorded in
    the ledger so that the message stays with it once its contact is detached.
    """
    expired = Message.objects.filter(expires_at__lte=now, anonymisation__isnull=True)
    unheld = expired.filter(held_message_filter(now=now))
    groups: list[tuple[RetentionPolicy | None, QuerySet[Message]]] = [
        (policy, unheld.filter(governed_q(policy, ranked))) for policy in ranked
    ]
    groups.append((None, unheld.filter(ungoverned_q(ranked))))
    return groups, expired.filter(under_hold_q(now=now))
