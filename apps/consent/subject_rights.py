"""Data-subject rights: export everything held about a contact, and erase it across every table.

Both are for the subject's own request, so neither needs an ``X-Purpose``; an export is still written
to the data-access log, under the purpose ``data_subject_request``.

Erasure leaves evidence that something happened and nothing of what it said: audit entries of the
erased rows stay, with their content replaced by an ``[erased <date>]`` marker; the person's email
addresses stay only as keyed digests on the suppression list (``ErasedSubject``), so a later
message from them is still treated as opted out. Messages under a legal hold are kept exactly as
they are, and the report says which and why.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.consent.choices import ALL_CHANNELS, ConsentOrigin
from apps.consent.hashing import email_digest, email_digests
from apps.consent.models import ConsentRecord, ErasedSubject, OptOutRequest
from apps.consent.selectors import contact_emails, subject_messages_q
from apps.crm.models import Contact, ContactIdentity
from apps.governance.models import DataAccessLog
from apps.scoring.models import EmotionScore
from apps.sources.models import DeadLetter, Message

#: The purpose data-subject requests are logged under in the data-access log.
DATA_SUBJECT_PURPOSE = "data_subject_request"
_BATCH = 500


def erased_marker(when: dt.datetime | None = None) -> str:
    """What erased audit content is replaced with."""
    return f"[erased {timezone.localdate(when or timezone.now()).isoformat()}]"


def _row(obj: models.Model, *, exclude: tuple[str, ...] = ()) -> dict:
    """Every stored column of ``obj`` (foreign keys as ids), as stored."""
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.name not in exclude}


def _jsonable(data):
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def _access_logs_naming(contact_id: int) -> models.QuerySet:
    """The data-access log entries whose ``contact_ids`` contain ``contact_id``."""
    if connection.features.supports_json_field_contains:
        return DataAccessLog.objects.filter(contact_ids__contains=[contact_id])
    # SQLite has no JSON containment: narrow by text, then check the list itself.
    candidates = DataAccessLog.objects.filter(contact_ids__icontains=str(contact_id)).values_list("pk", "contact_ids")
    return DataAccessLog.objects.filter(pk__in=[pk for pk, ids in candidates if contact_id in (ids or [])])


def _entries_naming_contact(model: type[models.Model], contact_id: int) -> set[str]:
    """Primary keys of ``model`` rows whose audit entries record ``contact=contact_id`` (rows since deleted too)."""
    ct = ContentType.objects.get_for_model(model)
    found = set()
    for pk, changes in LogEntry.objects.filter(content_type=ct, changes__icontains=f'"{contact_id}"').values_list(
        "object_pk", "changes"
    ):
        values = (changes or {}).get("contact") if isinstance(changes, dict) else None
        if isinstance(values, list) and str(contact_id) in [str(v) for v in values]:
            found.add(pk)
    return found


def _audit_targets(
    *,
    contact: Contact,
    message_ids,
    dead_letter_ids=(),
    optout_ids=(),
    include_contact: bool = True,
) -> dict[type[models.Model], set[str]]:
    """The rows, per model, whose audit entries are about this contact."""
    identity_ids = {str(pk) for pk in contact.identities.values_list("pk", flat=True)}
    consent_ids = {str(pk) for pk in contact.consent_records.values_list("pk", flat=True)}
    targets = {
        ContactIdentity: identity_ids | _entries_naming_contact(ContactIdentity, contact.pk),
        ConsentRecord: consent_ids | _entries_naming_contact(ConsentRecord, contact.pk),
        Message: {str(pk) for pk in message_ids},
        DeadLetter: {str(pk) for pk in dead_letter_ids},
        OptOutRequest: {str(pk) for pk in optout_ids},
    }
    if include_contact:
        targets[Contact] = {str(contact.pk)}
    return targets


def _audit_q(targets: dict[type[models.Model], set[str]]) -> Q:
    q = Q(pk__in=[])
    for model, pks in targets.items():
        if pks:
            q |= Q(content_type=ContentType.objects.get_for_model(model), object_pk__in=sorted(pks))
    return q


# --- export ------------------------------------------------------------------------------------------


@transaction.atomic
def subject_export(*, contact: Contact, user, request=None) -> dict:
    """Everything held about ``contact``, as JSON-ready data; the export is logged as a data access.

    Contact, identities, account summary, consent records, messages (text as stored), emotion scores
    (every model version, with the explanation), survey self-reports, the data-access log entries
    that name the contact and the audit entries about their rows. Which member of staff read or changed
    what is left out (their own personal data); what, when, why and the outcome are in.
    """
    from apps.governance.services import PurposeDecision, access_record

    now = timezone.now()
    emails = contact_emails(contact)
    messages = list(
        Message.objects.filter(subject_messages_q(contact_ids=[contact.pk], emails=emails))
        .select_related("source")
        .order_by("created_at_source", "pk")
    )
    message_ids = [m.pk for m in messages]
    access_record(
        user=user,
        decision=PurposeDecision(True, DATA_SUBJECT_PURPOSE),
        resource="data-subject:export",
        request=request,
        account_ids=[contact.account_id],
        contact_ids=[contact.pk],
        count=1,
        reason="Export of everything held about the contact, at their request.",
    )
    account = contact.account
    scores = EmotionScore.objects.filter(message_id__in=message_ids).order_by("message_id", "created", "pk")
    optouts = OptOutRequest.objects.filter(email_digest__in={d for e in emails for d in email_digests(e)})
    audit = LogEntry.objects.filter(
        _audit_q(
            _audit_targets(contact=contact, message_ids=message_ids, optout_ids=optouts.values_list("pk", flat=True))
        )
    ).select_related("content_type")
    data = {
        "generated_at": now,
        "contact": _row(contact),
        "identities": [_row(i) for i in contact.identities.order_by("pk")],
        "account": {
            "id": account.pk,
            "name": account.name,
            "external_id": account.external_id,
            "domain": account.domain,
            "tier": account.tier,
            "journey_stage": account.journey_stage,
            "lifecycle_status": account.lifecycle_status,
        },
        "consent_records": [_row(r) for r in contact.consent_records.order_by("recorded_at", "pk")],
        "messages": [{**_row(m), "source_name": m.source.name, "source_kind": m.source.kind} for m in messages],
        "emotion_scores": [_row(s) for s in scores],
        "survey_self_reports": [
            {"message_id": m.pk, "created_at_source": m.created_at_source, "self_reported": m.self_reported}
            for m in messages
            if m.self_reported
        ],
        "emotion_labels": _labels_of(message_ids),
        "reply_templates_used": _template_uses_of(contact.pk),
        "opt_out_requests": [_row(o, exclude=("token_digest", "email_digest")) for o in optouts],
        "data_access_log": [
            {
                "when": log.created,
                "purpose": log.purpose,
                "outcome": log.outcome,
                "reason": log.reason,
                "what": log.resource,
                "records": log.object_count,
            }
            for log in _access_logs_naming(contact.pk).order_by("created", "pk")
        ],
        "audit_log": [
            {
                "when": entry.timestamp,
                "action": entry.get_action_display(),
                "object": f"{entry.content_type.app_label}.{entry.content_type.model}",
                "object_id": entry.object_pk,
                "object_repr": entry.object_repr,
                "changes": entry.changes,
            }
            for entry in audit.order_by("timestamp", "pk")
        ],
    }
    return _jsonable(data)


def _labels_of(message_ids: list[int]) -> dict:
    """What people said the customer's messages expressed: gold labels, annotations, frontline feedback. Which
    member of staff gave them is left out, as everywhere in the export."""
    from apps.validation.models import Annotation, EmotionFeedback, GoldLabel

    return {
        "gold": [
            {"message_id": g.message_id, "labels": g.labels, "source": g.source, "decided_at": g.decided_at}
            for g in GoldLabel.objects.filter(message_id__in=message_ids).order_by("message_id")
        ],
        "annotations": [
            {"message_id": a.item.message_id, "labels": a.labels, "skipped": a.skipped, "created": a.created}
            for a in Annotation.objects.filter(item__message_id__in=message_ids).select_related("item").order_by("pk")
        ],
        "feedback": [
            {"message_id": f.message_id, "correct_labels": f.correct_labels, "note": f.note, "created": f.created}
            for f in EmotionFeedback.objects.filter(message_id__in=message_ids).order_by("pk")
        ],
    }


def _template_uses_of(contact_id: int) -> list[dict]:
    """Which suggested replies were used with the contact (the text itself is not kept)."""
    from apps.responses.models import TemplateUsage

    return [
        {
            "template": u.template.name,
            "version": u.version.number,
            "channel": u.channel,
            "edited": u.edited,
            "used_at": u.used_at,
        }
        for u in TemplateUsage.objects.filter(contact_id=contact_id).select_related("template", "version")
    ]


# --- erasure -----------------------------------------------------------------------------------------


@dataclass
class ErasureReport:
    """What an erasure removed, and what it kept and why."""

    contact_id: int
    erased_at: dt.datetime
    contact_deleted: bool = False
    counts: dict[str, int] = field(default_factory=dict)
    #: ``{"what", "count", "why"}`` for each kind of data kept
    kept: list[dict] = field(default_factory=list)
    #: the legal holds in force over the contact's data (id and reason)
    holds: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return _jsonable(asdict(self))

    def summary(self) -> str:
        removed = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in self.counts.items() if n)
        text = str(_("Contact %(id)s erased: %(removed)s.")) % {"id": self.contact_id, "removed": removed or "nothing"}
        for kept in self.kept:
            text += f" Kept {kept['count']} {kept['what']}: {kept['why']}."
        return text


def _dead_letters_naming(emails) -> list[int]:
    q = Q(pk__in=[])
    for email in emails:
        q |= (
            Q(payload__icontains=email)
            | Q(raw_body__icontains=email)
            | Q(reason__icontains=email)
            | Q(errors__icontains=email)
        )
    return list(DeadLetter.objects.filter(q).values_list("pk", flat=True))


def _delete_in_batches(model: type[models.Model], ids: list[int]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for start in range(0, len(ids), _BATCH):
        _n, per_model = model.objects.filter(pk__in=ids[start : start + _BATCH]).delete()
        for label, n in per_model.items():
            totals[label] = totals.get(label, 0) + n
    return totals


@transaction.atomic
def subject_erase(*, contact: Contact, origin: str = ConsentOrigin.ADMIN) -> ErasureReport:
    """Erase ``contact`` and everything held about them, except what a legal hold keeps.

    Deleted: their messages (survey answers included; their emotion scores go with them), identities,
    consent records, opt-out requests, and the dead letters that carry one of their email addresses.
    Their id is taken out of the data-access log. Audit entries of every erased row are redacted to an
    ``[erased <date>]`` marker, as is the contact's name wherever another row's audit entry showed it.
    Their email addresses go on the suppression list as keyed digests.

    Messages under a legal hold are kept as they are. Then (or when a legal hold names the contact)
    the contact row is kept as a nameless shell, opted out of everything, so the held messages stay
    linked and the hold keeps covering them.
    """
    from apps.consent.services import consent_opt_out
    from apps.crm.services import contact_save
    from apps.retention.models import LegalHold
    from apps.retention.selectors import holds_for, under_hold_q

    contact = Contact.objects.select_for_update().select_related("account").get(pk=contact.pk)
    now = timezone.now()
    marker = erased_marker(now)
    report = ErasureReport(contact_id=contact.pk, erased_at=now)
    emails = contact_emails(contact)
    digests = {d for e in emails for d in email_digests(e)}
    old_repr = str(contact)

    messages = Message.objects.filter(subject_messages_q(contact_ids=[contact.pk], emails=emails))
    held_ids = list(messages.filter(under_hold_q()).values_list("pk", flat=True))
    erased_ids = list(messages.exclude(pk__in=held_ids).values_list("pk", flat=True))
    dead_letter_ids = _dead_letters_naming(emails)
    optout_ids = list(OptOutRequest.objects.filter(email_digest__in=digests).values_list("pk", flat=True))
    targets = _audit_targets(
        contact=contact, message_ids=erased_ids, dead_letter_ids=dead_letter_ids, optout_ids=optout_ids
    )
    report.holds = [{"id": h.pk, "reason": h.reason} for h in holds_for(contact=contact)]
    hold_named = LegalHold.objects.filter(contact=contact).exists()  # protects the row, in force or not
    keep_contact = bool(held_ids) or hold_named

    counts = report.counts
    counts["survey_answers_deleted"] = (
        Message.objects.filter(pk__in=erased_ids).filter(Q(source__kind="survey") | ~Q(self_reported={})).count()
    )
    from apps.crm.selectors import account_days_of
    from apps.crm.services import account_rollups_refresh

    rollup_days = account_days_of(message_ids=erased_ids)
    deleted = _delete_in_batches(Message, erased_ids)
    account_rollups_refresh(account_days=rollup_days)  # the account pages' daily sums forget them too
    counts["messages_deleted"] = deleted.get(Message._meta.label, 0)
    counts["scores_deleted"] = deleted.get(EmotionScore._meta.label, 0)
    counts["dead_letters_deleted"] = _delete_in_batches(DeadLetter, dead_letter_ids).get(DeadLetter._meta.label, 0)
    counts["opt_out_requests_deleted"] = OptOutRequest.objects.filter(pk__in=optout_ids).delete()[0]
    counts["identities_deleted"] = ContactIdentity.objects.filter(contact=contact).delete()[0]
    counts["consent_records_deleted"] = ConsentRecord.objects.filter(contact=contact).delete()[0]
    access_logs = list(_access_logs_naming(contact.pk).values_list("pk", "contact_ids"))
    for pk, ids in access_logs:
        DataAccessLog.objects.filter(pk=pk).update(contact_ids=[i for i in ids if i != contact.pk])
    counts["access_log_entries_updated"] = len(access_logs)

    if keep_contact:
        contact_save(contact=contact, name=marker, email="", phone="", title="")
        consent_opt_out(contact=contact, origin=origin, channel=ALL_CHANNELS, note="Erased at the subject's request.")
        why = (
            _("legal hold: %(reasons)s") % {"reasons": "; ".join(h["reason"] for h in report.holds)}
            if report.holds
            else _("a released legal hold still names this contact")
        )
        report.kept.append(
            {"what": str(_("contact record, without name, email, phone or title")), "count": 1, "why": str(why)}
        )
    else:
        contact.delete()
        report.contact_deleted = True
    if held_ids:
        report.kept.append(
            {
                "what": str(_("messages under a legal hold, unchanged (with their scores)")),
                "count": len(held_ids),
                "why": "; ".join(h["reason"] for h in report.holds) or str(_("legal hold")),
                "message_ids": held_ids,
            }
        )
    for email in emails:
        ErasedSubject.objects.get_or_create(email_digest=email_digest(email), defaults={"erased_at": now})

    # Last, so that the entries the deletions above just wrote are redacted too.
    redacted = LogEntry.objects.filter(_audit_q(targets)).update(
        object_repr=marker,
        changes_text=marker,
        changes={"erased": [marker, marker]},
        additional_data=marker,
        serialized_data=None,
    )
    for pk, text in LogEntry.objects.filter(object_repr__contains=old_repr).values_list("pk", "object_repr"):
        LogEntry.objects.filter(pk=pk).update(object_repr=text.replace(old_repr, marker))
        redacted += 1
    counts["audit_entries_redacted"] = redacted
    return report


def erasure_preview(*, contact: Contact) -> dict:
    """What erasing ``contact`` would touch (for the admin's confirmation page); changes nothing."""
    from apps.retention.selectors import holds_for, under_hold_q

    emails = contact_emails(contact)
    messages = Message.objects.filter(subject_messages_q(contact_ids=[contact.pk], emails=emails))
    return {
        "contact": contact,
        "messages": messages.count(),
        "held": messages.filter(under_hold_q()).count(),
        "holds": [h.reason for h in holds_for(contact=contact)],
    }
