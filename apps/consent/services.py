"""Writes of the consent app: consent statements, and the opt-out (portal link, confirmation, API, admin)."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.consent.choices import ALL_CHANNELS, CHANNEL_CHOICES, ConsentOrigin, ConsentStatus
from apps.consent.hashing import email_digest, normalise_email
from apps.consent.models import ConsentRecord, OptOutRequest

logger = logging.getLogger("emotionhub.consent")

#: How long an emailed opt-out link works.
OPTOUT_LINK_TTL = dt.timedelta(hours=48)
#: Requests for a link allowed per hour, per client address and per email address.
OPTOUT_LIMIT_PER_IP = 5
OPTOUT_LIMIT_PER_EMAIL = 3
_TOKEN_SALT = "apps.consent.optout-link"  # noqa: S105 — a signing salt, not a secret


@transaction.atomic
def consent_record(
    *, contact, status: str, origin: str, channel: str = ALL_CHANNELS, note: str = "", recorded_at=None
) -> ConsentRecord:
    """Record a statement of consent or its withdrawal; the latest one per channel is in force."""
    record = ConsentRecord(
        contact=contact,
        status=status,
        origin=origin,
        channel=channel,
        note=note,
        recorded_at=recorded_at or timezone.now(),
    )
    record.full_clean()
    record.save()
    return record


def consent_opt_out(*, contact, origin: str, channel: str = ALL_CHANNELS, note: str = "") -> ConsentRecord:
    """Withdraw consent for ``channel`` (default: every channel)."""
    return consent_record(contact=contact, status=ConsentStatus.OPTED_OUT, origin=origin, channel=channel, note=note)


def consent_opt_in(*, contact, origin: str, channel: str = ALL_CHANNELS, note: str = "") -> ConsentRecord:
    """Give consent for ``channel``."""
    return consent_record(contact=contact, status=ConsentStatus.OPTED_IN, origin=origin, channel=channel, note=note)


# --- the opt-out itself ------------------------------------------------------------------------------


@dataclass
class OptOutReport:
    """What an opt-out did, for the confirmation page, the email, the API and the admin."""

    channels: list[str]
    contacts: int = 0
    consent_records: int = 0
    messages_reduced: int = 0
    scores_deleted: int = 0
    messages_held: int = 0
    scores_held: int = 0
    #: the legal holds that kept messages (id and reason): for staff, never shown to the customer
    holds: list[dict] = field(default_factory=list)

    @property
    def all_channels(self) -> bool:
        return ALL_CHANNELS in self.channels

    @property
    def channel_labels(self) -> list[str]:
        labels = dict(CHANNEL_CHOICES)
        return [str(labels.get(c, c)) for c in self.channels]

    def as_dict(self) -> dict:
        return asdict(self)

    def summary(self) -> str:
        """One line for the admin."""
        text = _(
            "%(contacts)d contact(s) opted out of %(channels)s: %(messages)d message(s) reduced to content-free "
            "records, %(scores)d emotion score(s) deleted"
        ) % {
            "contacts": self.contacts,
            "channels": ", ".join(self.channel_labels),
            "messages": self.messages_reduced,
            "scores": self.scores_deleted,
        }
        if self.messages_held:
            text += str(_("; %(held)d message(s) kept unchanged because of a legal hold")) % {
                "held": self.messages_held
            }
        return f"{text}."


def optout_channels(channels: Iterable[str] | None) -> list[str]:
    """The channels an opt-out covers: ``[ALL_CHANNELS]`` when none or all is asked for; else the kinds asked."""
    chosen = list(dict.fromkeys(channels or []))
    valid = {value for value, _label in CHANNEL_CHOICES}
    unknown = [c for c in chosen if c not in valid]
    if unknown:
        raise ValidationError({"channels": _("Unknown channel(s): %(c)s.") % {"c": ", ".join(map(str, unknown))}})
    if not chosen or ALL_CHANNELS in chosen:
        return [ALL_CHANNELS]
    return chosen


@transaction.atomic
def optout_apply(
    *, contacts: Iterable, channels: Iterable[str] | None, origin: str, emails: Iterable[str] = (), note: str = ""
) -> OptOutReport:
    """Opt ``contacts`` out of ``channels`` at once, and purge what was already derived.

    Records the opt-out per contact and channel (so that queued and future messages are never
    scored: ingestion and scoring check consent), deletes the emotion scores (every model version)
    of the messages it covers, and reduces those messages to content-free tombstones. Messages
    under a legal hold are left exactly as they are, scores included, and reported. ``emails``: also
    cover messages stored from these addresses before their author was known as a contact.
    """
    from apps.consent.selectors import subject_messages_q
    from apps.retention.selectors import holds_in_force, under_hold_q
    from apps.scoring.models import EmotionScore
    from apps.sources.choices import MessageStatus
    from apps.sources.models import Message
    from apps.sources.services import messages_withhold

    channels = optout_channels(channels)
    contacts = list(contacts)
    report = OptOutReport(channels=channels, contacts=len(contacts))
    for contact in contacts:
        for channel in channels:
            consent_opt_out(contact=contact, origin=origin, channel=channel, note=note)
            report.consent_records += 1
    messages = Message.objects.filter(subject_messages_q(contact_ids=[c.pk for c in contacts], emails=emails))
    if ALL_CHANNELS not in channels:
        messages = messages.filter(source__kind__in=channels)
    held = messages.filter(under_hold_q())
    held_ids = list(held.values_list("pk", flat=True))
    free = messages.exclude(pk__in=held_ids)
    from apps.crm.selectors import account_days_of
    from apps.crm.services import account_rollups_refresh

    rollup_days = account_days_of(message_ids=free.values_list("pk", flat=True))
    _total, per_model = EmotionScore.objects.filter(message__in=free.values("pk")).delete()
    report.scores_deleted = per_model.get(EmotionScore._meta.label, 0)
    account_rollups_refresh(account_days=rollup_days)  # the account pages' daily sums forget them too
    from apps.alerts.services import alerts_forget_messages

    alerts_forget_messages(message_ids=free.values_list("pk", flat=True))  # rollups derived from those scores
    # A message already without content (a tombstone, or never analysed for want of opt-in) stays as it is.
    with_content = free.exclude(status__in=[MessageStatus.TOMBSTONE, MessageStatus.NO_CONSENT])
    report.messages_reduced = messages_withhold(message_ids=list(with_content.values_list("pk", flat=True)))
    report.messages_held = len(held_ids)
    report.scores_held = EmotionScore.objects.filter(message_id__in=held_ids).count()
    if held_ids:
        held_rows = Message.objects.filter(pk__in=held_ids)
        report.holds = [
            {"id": hold.pk, "reason": hold.reason}
            for hold in holds_in_force()
            if held_rows.filter(hold.message_q()).exists()
        ]
    return report


@transaction.atomic
def optout_confirm(
    *, email: str, channels: Iterable[str] | None, origin: str, contacts: Iterable | None = None
) -> OptOutReport:
    """The opt-out of everyone known by ``email`` (their own address or an email identity), at once.

    ``contacts``: only these (the API passes the contacts its user may see). See ``optout_apply``.
    """
    from apps.consent.selectors import contacts_with_email

    email = normalise_email(email)
    contacts = list(contacts_with_email(email)) if contacts is None else list(contacts)
    return optout_apply(contacts=contacts, channels=channels, origin=origin, emails=[email] if email else [])


# --- the emailed link --------------------------------------------------------------------------------


class OptOutLinkError(Exception):
    """The link is not one of ours (or was tampered with)."""

    status = 400
    kind = "invalid"


class OptOutLinkExpired(OptOutLinkError):
    status = 410
    kind = "expired"


class OptOutLinkUsed(OptOutLinkError):
    status = 410
    kind = "used"


def _token_digest(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def optout_rate_hit(*, scope: str, key: str | None, limit: int, window: int = 3600) -> bool:
    """Count one request for ``scope``/``key`` in a fixed window; False once more than ``limit`` were made."""
    if not key:
        return True
    cache_key = f"consent:optout:{scope}:{hashlib.sha256(key.encode()).hexdigest()}"
    cache.add(cache_key, 0, timeout=window)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window)
        count = 1
    return count <= limit


def optout_link_request(*, email: str) -> None:
    """Have an opt-out link emailed to ``email`` if we know the address; else do the same work and send nothing.

    The caller answers the same either way (no enumeration). The request itself does the same work
    for both: look the address up, sign a token, render the email, validate the row. Storing the row and
    queueing the email (``optout_link_send``, on a q2 worker, so that the mail server's delay is not in the
    answer) is all a known address adds. Only digests are kept of the token.
    """
    email = normalise_email(email)
    known = _contacts_known(email)
    _link_email(signing.dumps(secrets.token_urlsafe(32), salt=_TOKEN_SALT))
    row = OptOutRequest(
        email=email,
        email_digest=email_digest(email),
        token_digest=_token_digest(secrets.token_urlsafe(32)),  # replaced when the link is issued
        expires_at=timezone.now() + OPTOUT_LINK_TTL,
    )
    row.full_clean()
    if not known:
        return
    from django_q.tasks import async_task

    with transaction.atomic():
        row.save()
        transaction.on_commit(lambda: async_task("apps.consent.tasks.send_optout_link", row.pk, group="consent"))


def optout_link_send(*, request_id: int) -> bool:
    """Issue the link of an open opt-out request and email it. Once per request: a conditional UPDATE claims
    it, so a second run (or a second worker) sends nothing. Returns whether it sent."""
    nonce = secrets.token_urlsafe(32)
    now = timezone.now()
    claimed = OptOutRequest.objects.filter(
        pk=request_id, sent_at__isnull=True, used_at__isnull=True, expires_at__gt=now
    ).update(sent_at=now, token_digest=_token_digest(nonce))
    if not claimed:
        return False
    row = OptOutRequest.objects.get(pk=request_id)
    try:
        send_mail(
            str(_("Your opt-out link for EmotionHub analysis")),
            _link_email(signing.dumps(nonce, salt=_TOKEN_SALT)),
            settings.DEFAULT_FROM_EMAIL,
            [row.email],
        )
    except Exception:
        OptOutRequest.objects.filter(pk=request_id).update(sent_at=None)  # let a retry send it
        raise
    return True


def _link_email(token: str) -> str:
    """The body of the email with the link (built on ``SITE_URL``, never on a request's Host header)."""
    from django.urls import reverse

    link = settings.SITE_URL.rstrip("/") + reverse("consent:opt-out-confirm", args=[token])
    return render_to_string(
        "consent/email/opt_out_link.txt", {"link": link, "hours": int(OPTOUT_LINK_TTL.total_seconds() // 3600)}
    )


def _contacts_known(email: str) -> bool:
    from apps.consent.selectors import contacts_with_email

    return contacts_with_email(email).exists()


def _send(email: str, subject: str, body: str) -> None:
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email])
    except Exception:  # a mail outage must not change the page the visitor gets (no enumeration)
        logger.exception("could not send a consent email")


def optout_request_for_token(token: str, *, now: dt.datetime | None = None) -> OptOutRequest:
    """The open request behind an emailed link; raises ``OptOutLinkError`` (or its expired/used kinds)."""
    try:
        nonce = signing.loads(token, salt=_TOKEN_SALT, max_age=OPTOUT_LINK_TTL)
    except signing.SignatureExpired as exc:
        raise OptOutLinkExpired from exc
    except signing.BadSignature as exc:
        raise OptOutLinkError from exc
    if not isinstance(nonce, str):
        raise OptOutLinkError
    row = OptOutRequest.objects.filter(token_digest=_token_digest(nonce)).first()
    if row is None:
        raise OptOutLinkError
    if row.used_at is not None:
        raise OptOutLinkUsed
    if row.is_expired(now):
        raise OptOutLinkExpired
    return row


@transaction.atomic
def optout_request_redeem(*, token: str, channels: Iterable[str] | None) -> OptOutReport:
    """Confirm the opt-out an emailed link asked for; the link works once (a conditional UPDATE claims it).

    Then a confirmation email says what was done.
    """
    row = optout_request_for_token(token)
    claimed = OptOutRequest.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=timezone.now(), email="")
    if not claimed:
        raise OptOutLinkUsed
    report = optout_confirm(email=row.email, channels=channels, origin=ConsentOrigin.PORTAL)
    from apps.consent.selectors import privacy_contact_email

    body = render_to_string(
        "consent/email/opt_out_done.txt", {"report": report, "contact_email": privacy_contact_email()}
    )
    transaction.on_commit(lambda: _send(row.email, str(_("Your opt-out is confirmed")), body))
    return report


def optout_requests_purge(*, now: dt.datetime | None = None) -> int:
    """Delete the requests whose link expired or was used more than a day ago (a periodic job)."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=1)
    return OptOutRequest.objects.filter(expires_at__lt=cutoff).delete()[0]
