"""Writes of the response templates app: saving a template makes a version; restoring one makes another; uses."""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.responses import placeholders
from apps.responses.models import ResponseTemplate, ResponseTemplateVersion, TemplateUsage

#: The fields a version snapshots; a save that changes none of them makes no new version.
TEXT_FIELDS = ("subject", "body", "guidance")
EDITABLE_FIELDS = ("name", "emotion", "journey_stage", "channel", "is_active", *TEXT_FIELDS)


def _lock(template: ResponseTemplate) -> ResponseTemplate:
    # Locking the row serialises concurrent saves, so two editors never take the same version number.
    return ResponseTemplate.objects.select_for_update().get(pk=template.pk)


def _record_version(template: ResponseTemplate, *, author, restored_from: int | None = None) -> ResponseTemplateVersion:
    version = ResponseTemplateVersion(
        template=template,
        number=template.current_version,
        subject=template.subject,
        body=template.body,
        guidance=template.guidance,
        author=author if getattr(author, "is_authenticated", False) else None,
        restored_from=restored_from,
    )
    version.full_clean()
    version.save()
    return version


@transaction.atomic
def template_save(*, template: ResponseTemplate | None = None, user, **fields) -> ResponseTemplate:
    """Create or update a template; placeholders and the emotion are validated, and a new version is recorded
    whenever the subject, body or guidance changed (always on creation)."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    if template is None or template.pk is None:
        template, current = template or ResponseTemplate(), None
    else:
        locked = _lock(template)
        template.current_version = locked.current_version
        current = locked.versions.filter(number=locked.current_version).first()
    for name, value in fields.items():
        setattr(template, name, value)
    changed = current is None or any(getattr(current, f) != getattr(template, f) for f in TEXT_FIELDS)
    if changed:
        template.current_version += 1
    template.full_clean()
    template.save()
    if changed:
        _record_version(template, author=user)
    return template


@transaction.atomic
def template_restore_version(*, version: ResponseTemplateVersion, user) -> ResponseTemplateVersion:
    """Make ``version``'s text current again, as a new version (history is never rewritten)."""
    template = _lock(version.template)
    template.subject, template.body, template.guidance = version.subject, version.body, version.guidance
    template.current_version += 1
    template.full_clean()  # placeholders allowed when it was written may have been retired since
    template.save()
    return _record_version(template, author=user, restored_from=version.number)


def text_digest(text: str) -> str:
    """The SHA-256 of a reply's text with line endings normalised (browsers post CRLF)."""
    return hashlib.sha256(_normalise(text).encode()).hexdigest()


def _normalise(text: str) -> str:
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def compose(subject: str, body: str) -> str:
    """The reply as one text: the subject line (if any), a blank line, the body."""
    subject, body = _normalise(subject), _normalise(body)
    return f"{subject}\n\n{body}" if subject else body


@transaction.atomic
def template_usage_record(
    *,
    template: ResponseTemplate,
    version: ResponseTemplateVersion,
    account,
    contact=None,
    user,
    channel: str = "",
    subject: str,
    body: str,
) -> TemplateUsage:
    """Record that ``user`` used ``version`` of ``template`` for ``account`` (and ``contact``).

    The caller has checked that the user may see the account and contact. A reply that still holds
    unfilled placeholders is refused: the customer would receive ``{{ contact.first_name }}``.
    """
    if version.template_id != template.pk:
        raise ValidationError({"version": _("This version belongs to another template.")})
    if not template.is_active:
        raise ValidationError({"template": _("This template has been retired; choose another.")})
    final = compose(subject, body)
    if not _normalise(body):
        raise ValidationError({"body": _("The reply is empty.")})
    left = placeholders.unfilled(final)
    if left:
        raise ValidationError(
            {
                "body": _("Fill in or remove %(left)s before using this reply.")
                % {"left": ", ".join(dict.fromkeys(left))}
            }
        )
    # What was suggested is rendered again here from the version shown, rather than taken from the browser.
    context = placeholders.context_for(account=account, contact=contact, agent=user)
    suggested = compose(
        placeholders.render(version.subject, context).text, placeholders.render(version.body, context).text
    )
    usage = TemplateUsage(
        template=template,
        version=version,
        account=account,
        contact=contact,
        user=user if getattr(user, "is_authenticated", False) else None,
        channel=channel,
        edited=final != suggested,
        text_sha256=text_digest(final),
        text_length=len(final),
        used_at=timezone.now(),
    )
    usage.full_clean()
    usage.save()
    return usage
