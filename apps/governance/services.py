"""Purpose binding, enforced for every read of emotion data, and the access log it writes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction

from apps.core.security import client_ip
from apps.governance.choices import AccessOutcome, ProhibitedScope
from apps.governance.models import DPIA, DataAccessLog, Purpose

PURPOSE_HEADER = "X-Purpose"


@dataclass
class PurposeDecision:
    """May ``user`` read emotion data for ``purpose``? And which data must be left out for it?"""

    allowed: bool
    purpose: str
    reason: str = ""
    #: prohibited-use scopes in force for this purpose: rows they cover are withheld or refused
    withheld_scopes: set[str] = field(default_factory=set)
    log: DataAccessLog | None = None


def active_purposes() -> list[Purpose]:
    return [p for p in Purpose.objects.filter(is_active=True).select_related("dpia") if p.dpia and p.dpia.is_valid]


def purpose_decide(*, user, purpose_key: str, only: str = "") -> PurposeDecision:
    """The decision, without logging it (``access_record`` logs). ``only``: data read for that one purpose alone
    (coaching data for coaching, the analytics reports for analytics); any other allowed purpose is refused."""
    key = (purpose_key or "").strip()
    choices = ", ".join(p.key for p in active_purposes()) or "none is switched on"
    if not key:
        return PurposeDecision(False, "", f"No purpose stated. Send {PURPOSE_HEADER}: one of {choices}.")
    purpose = (
        Purpose.objects.select_related("dpia")
        .prefetch_related("allowed_roles", "prohibited_uses")
        .filter(key=key)
        .first()
    )
    if purpose is None:
        return PurposeDecision(False, key, f"Unknown purpose {key!r}; one of {choices}.")
    if not purpose.is_active:
        return PurposeDecision(False, key, f"The purpose {key!r} is switched off.")
    if purpose.dpia is None or not purpose.dpia.is_valid:
        return PurposeDecision(False, key, f"The purpose {key!r} has no approved, unexpired DPIA.")
    roles = {g.pk for g in purpose.allowed_roles.all()}
    if not user.is_superuser and not roles & set(user.groups.values_list("pk", flat=True)):
        return PurposeDecision(False, key, f"Your role may not use emotion data for {key!r}.")
    scopes = {u.scope for u in purpose.prohibited_uses.all() if u.is_active}
    if ProhibitedScope.EVERYONE in scopes:
        return PurposeDecision(False, key, f"Using emotion data for {key!r} is prohibited.")
    if only and key != only:
        return PurposeDecision(False, key, f"This is read for the purpose {only} only: send {PURPOSE_HEADER}: {only}.")
    return PurposeDecision(True, key, withheld_scopes=scopes)


def access_record(
    *,
    user,
    decision: PurposeDecision,
    resource: str,
    request=None,
    account_ids: Iterable = (),
    contact_ids: Iterable = (),
    count: int = 0,
    reason: str | None = None,
    outcome: str | None = None,
) -> DataAccessLog:
    """Write one access log entry (allowed or refused)."""
    log = DataAccessLog.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        username=getattr(user, "username", "") or "",
        purpose=decision.purpose[:40],
        outcome=outcome or (AccessOutcome.ALLOWED if decision.allowed else AccessOutcome.REFUSED),
        reason=(decision.reason if reason is None else reason)[:255],
        resource=resource[:120],
        account_ids=sorted({a for a in account_ids if a is not None}),
        contact_ids=sorted({c for c in contact_ids if c is not None}),
        object_count=count,
        remote_addr=client_ip(request) if request is not None else None,
    )
    decision.log = log
    return log


def access_update(*, log: DataAccessLog, account_ids: Iterable, contact_ids: Iterable, count: int) -> None:
    """Fill in whose data an allowed read returned, once it is known."""
    DataAccessLog.objects.filter(pk=log.pk).update(
        account_ids=sorted({a for a in account_ids if a is not None}),
        contact_ids=sorted({c for c in contact_ids if c is not None}),
        object_count=count,
    )


@transaction.atomic
def purpose_switch(*, purpose: Purpose, on: bool) -> Purpose:
    """Switch a purpose on (only with an approved, unexpired DPIA) or off."""
    purpose.is_active = on
    purpose.full_clean()
    purpose.save(update_fields=["is_active", "updated"])
    return purpose


@transaction.atomic
def dpia_approve(*, dpia: DPIA, reviewer, next_review_date) -> DPIA:
    """Approve a DPIA; its reviewer and next review date are recorded."""
    from django.utils import timezone

    from apps.governance.choices import DpiaStatus

    dpia.status, dpia.reviewer, dpia.next_review_date = DpiaStatus.APPROVED, reviewer, next_review_date
    dpia.approved_at = timezone.now()
    dpia.full_clean()
    dpia.save()
    return dpia
