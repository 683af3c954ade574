"""The consent check: may this contact's message from this channel be analysed?"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from apps.consent.choices import ALL_CHANNELS, ConsentStatus, Verdict
from apps.consent.hashing import email_digests, normalise_email
from apps.consent.models import ConsentRecord, ErasedSubject


def consent_states(contact_ids: Iterable[int]) -> dict[int, dict[str, str]]:
    """For each contact, the status in force per channel (latest record wins), in one query."""
    states: dict[int, dict[str, str]] = {}
    rows = (
        ConsentRecord.objects.filter(contact_id__in=set(contact_ids))
        .order_by("contact_id", "channel", "-recorded_at", "-id")
        .values_list("contact_id", "channel", "status")
    )
    for contact_id, channel, status in rows:
        states.setdefault(contact_id, {}).setdefault(channel, status)
    return states


def verdict(states: dict[str, str] | None, *, channel: str, requires_opt_in: bool, suppressed: bool = False) -> str:
    """The verdict for one message, from its contact's states (``consent_states()[contact_id]``).

    An opt-out for all channels, or for this one, overrides any opt-in. A source that requires
    opt-in (passive email tone analysis, say) analyses only contacts who opted in for it or for all.
    Messages with no known contact are analysed only where no opt-in is required. ``suppressed``: the
    author's email is on the suppression list of erased subjects (``suppressed_emails``), an opt-out for all.
    """
    if suppressed:
        return Verdict.OPTED_OUT
    states = states or {}
    if ConsentStatus.OPTED_OUT in (states.get(ALL_CHANNELS), states.get(channel)):
        return Verdict.OPTED_OUT
    if requires_opt_in and ConsentStatus.OPTED_IN not in (states.get(ALL_CHANNELS), states.get(channel)):
        return Verdict.NO_OPT_IN
    return Verdict.ANALYSE


def contact_verdict(contact_id: int | None, *, channel: str, requires_opt_in: bool) -> str:
    """``verdict`` for a single contact (one query)."""
    states = consent_states([contact_id]).get(contact_id) if contact_id else None
    return verdict(states, channel=channel, requires_opt_in=requires_opt_in)


# --- the suppression list of erased subjects ---------------------------------------------------------


def suppressed_emails(emails: Iterable[str]) -> set[str]:
    """Those of ``emails`` (normalised) whose owner's data was erased: treat their messages as opted out. One query."""
    by_digest: dict[str, str] = {}
    for email in {normalise_email(e) for e in emails if e}:
        for digest in email_digests(email):
            by_digest[digest] = email
    if not by_digest:
        return set()
    found = ErasedSubject.objects.filter(email_digest__in=by_digest).values_list("email_digest", flat=True)
    return {by_digest[d] for d in found}


def is_suppressed_email(email: str) -> bool:
    """Whether ``email`` belongs to an erased subject (see ``suppressed_emails`` for a batch)."""
    return bool(email) and bool(suppressed_emails([email]))


# --- whose data is it --------------------------------------------------------------------------------


def contacts_with_email(email: str, queryset: QuerySet | None = None) -> QuerySet:
    """The contacts known by ``email``: their own address or an email identity (``queryset``: narrow it first)."""
    from apps.crm.choices import IdentityKind
    from apps.crm.models import Contact

    email = normalise_email(email)
    queryset = Contact.objects.all() if queryset is None else queryset
    if not email:
        return queryset.none()
    ids = Contact.objects.filter(
        Q(email__iexact=email) | Q(identities__kind=IdentityKind.EMAIL, identities__value__iexact=email)
    ).values("pk")
    return queryset.filter(pk__in=ids)


def contact_emails(contact) -> set[str]:
    """Every email address ``contact`` is known by (normalised)."""
    from apps.crm.choices import IdentityKind

    emails = {normalise_email(contact.email)} if contact.email else set()
    emails |= {
        normalise_email(v) for v in contact.identities.filter(kind=IdentityKind.EMAIL).values_list("value", flat=True)
    }
    return emails - {""}


def subject_messages_q(*, contact_ids: Iterable[int], emails: Iterable[str] = ()) -> Q:
    """A Q on Message: the messages of these contacts, and those stored before the author was known as a
    contact (no contact, written from one of ``emails``)."""
    q = Q(contact_id__in=list(contact_ids))
    for email in {normalise_email(e) for e in emails if e}:
        q |= Q(contact__isnull=True, author_handle__iexact=email)
    return q


def analysed_channels() -> list[tuple[str, str]]:
    """``(kind, label)`` of the channels we receive messages from now (the active sources' kinds), in order."""
    from apps.sources.choices import SourceKind
    from apps.sources.models import Source

    kinds = set(Source.objects.filter(is_active=True).values_list("kind", flat=True))
    return [(value, label) for value, label in SourceKind.choices if value in kinds]


# --- the plain-language disclosure -------------------------------------------------------------------


def _days_in_words(days: int) -> str:
    from django.utils.translation import ngettext

    if days == 0:
        return str(_("until the next daily clean-up"))
    if days % 365 == 0:
        years = days // 365
        return ngettext("for %(n)d year", "for %(n)d years", years) % {"n": years}
    if days % 30 == 0:
        months = days // 30
        return ngettext("for %(n)d month", "for %(n)d months", months) % {"n": months}
    return ngettext("for %(n)d day", "for %(n)d days", days) % {"n": days}


def retention_in_words(policy) -> dict[str, str]:
    """What one retention policy does, in words a customer reads: ``{"scope", "text", "scores"}``."""
    from apps.retention.choices import RetentionAction

    if policy.keep_text_days is None:
        text = _("What you wrote is kept; this rule sets no time limit for it.")
    elif policy.action == RetentionAction.DELETE:
        text = _("What you wrote is kept %(period)s, then the message is deleted together with its scores.") % {
            "period": _days_in_words(policy.keep_text_days)
        }
    else:
        text = _(
            "What you wrote is kept %(period)s, then it is anonymised: the words and anything that identifies "
            "you are removed; only the date, the channel and any star rating remain."
        ) % {"period": _days_in_words(policy.keep_text_days)}
    if policy.keep_scores_days is None:
        scores = _("Emotion scores are kept as long as the message is.")
    else:
        scores = _("Emotion scores are deleted after being kept %(period)s.") % {
            "period": _days_in_words(policy.keep_scores_days)
        }
    return {"name": policy.name, "scope": policy.scope_label, "text": str(text), "scores": str(scores)}


def privacy_contact_email() -> str:
    """Whom customers write to about their data: ``PRIVACY_CONTACT_EMAIL``, else the address mail is sent from."""
    from email.utils import parseaddr

    from django.conf import settings

    return getattr(settings, "PRIVACY_CONTACT_EMAIL", "") or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def privacy_disclosure() -> dict:
    """What the public privacy page says, read from what is really configured now.

    - ``analysed``/``opt_in_only``: the active sources by kind, with their platforms;
    - ``purposes``: the purposes switched on with a valid DPIA, and the roles that may use them;
    - ``retention``: the active retention policies, in words, in the order they apply;
    - ``contact``: whom to write to.
    """
    from apps.governance.services import active_purposes
    from apps.retention.selectors import ranked_policies
    from apps.sources.choices import Platform, SourceKind
    from apps.sources.models import Source

    platform_labels = dict(Platform.choices)
    groups: dict[tuple[bool, str], set[str]] = {}
    for kind, platform, opt_in in Source.objects.filter(is_active=True).values_list(
        "kind", "platform", "requires_opt_in"
    ):
        groups.setdefault((opt_in, kind), set())
        if platform and platform != Platform.OTHER:
            groups[(opt_in, kind)].add(str(platform_labels.get(platform, platform)))

    def channels(opt_in: bool) -> list[dict]:
        return [
            {"kind": value, "label": label, "platforms": sorted(groups[(opt_in, value)] - {str(label)})}
            for value, label in SourceKind.choices
            if (opt_in, value) in groups
        ]

    purposes = [
        {
            "key": p.key,
            "name": p.name,
            "description": p.description,
            "roles": sorted(g.name for g in p.allowed_roles.all()),
        }
        for p in active_purposes()
    ]
    return {
        "analysed": channels(False),
        "opt_in_only": channels(True),
        "purposes": purposes,
        "retention": [retention_in_words(p) for p in ranked_policies()],
        "contact_email": privacy_contact_email(),
    }
