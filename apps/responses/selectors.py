"""Reads of the response templates app: which template to suggest, filled for an account; what a user may see."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils.safestring import SafeString

from apps.responses import placeholders
from apps.responses.models import ResponseTemplate, ResponseTemplateVersion, TemplateUsage


@dataclass(frozen=True)
class Suggestion:
    """A template filled for one account (and contact, and agent), ready to edit before use.

    ``missing`` names the placeholders that could not be filled; they are left in the text as written
    (``{{ contact.first_name }}``) so that nobody sends "Dear ," by accident.
    """

    template_id: int
    version: int
    name: str
    emotion: str
    subject: str
    body: str
    guidance: str
    missing: tuple[str, ...]
    journey_stage: str = ""
    channel: str = ""
    #: the emotion asked for, when the template was found through its base emotion family (frustration → anger)
    requested_emotion: str = ""

    def as_dict(self) -> dict:
        """JSON-ready."""
        data = asdict(self)
        data["missing"] = list(self.missing)
        return data

    @property
    def subject_html(self) -> SafeString:
        """The subject escaped, with unfilled placeholders marked."""
        return placeholders.highlight(self.subject)

    @property
    def body_html(self) -> SafeString:
        """The body escaped, with unfilled placeholders marked."""
        return placeholders.highlight(self.body)


def templates_visible_to(user) -> QuerySet[ResponseTemplate]:
    """Templates ``user`` may see (model-wide ``responses.view_responsetemplate``)."""
    return ResponseTemplate.objects.restrict(user, "view")


def template_list(*, user, emotion: str = "", journey_stage: str = "", channel: str = "", active_only: bool = True):
    """The templates ``user`` may see, filtered; a blank stage or channel on a template means "any"."""
    templates = templates_visible_to(user)
    if active_only:
        templates = templates.filter(is_active=True)
    if emotion:
        templates = templates.filter(emotion=emotion)
    if journey_stage:
        templates = templates.filter(journey_stage__in=("", journey_stage))
    if channel:
        templates = templates.filter(channel__in=("", channel))
    return templates.order_by("emotion", "journey_stage", "channel", "name")


def get_template_for_user(user, pk: int) -> ResponseTemplate:
    """The template, or 404 when the user may not see it."""
    template = templates_visible_to(user).filter(pk=pk).first()
    if template is None:
        raise Http404("No such response template.")
    return template


def template_versions(*, template: ResponseTemplate) -> QuerySet[ResponseTemplateVersion]:
    """Every version of ``template``, newest first."""
    return template.versions.select_related("author").order_by("-number")


def base_family(emotion: str) -> str:
    """The base emotion a business emotion is mostly made of (its largest positive component), or "".

    Read from the live taxonomy, so a CX lead who redefines "confusion" changes where it falls back to.
    """
    from apps.scoring import taxonomy

    for definition in taxonomy.current().business:
        if definition.key == emotion:
            positive = [(weight, key) for key, weight in definition.components.items() if weight > 0]
            return max(positive, key=lambda pair: (pair[0], pair[1]))[1] if positive else ""
    return ""


def _most_specific(candidates: QuerySet[ResponseTemplate], *, emotion: str, journey_stage: str, channel: str):
    rows = list(
        candidates.filter(
            emotion=emotion,
            is_active=True,
            journey_stage__in={"", journey_stage},
            channel__in={"", channel},
        )
    )
    # emotion+stage+channel (3) > emotion+stage (2) > emotion+channel (1) > emotion (0); then by name, id
    rows.sort(key=lambda t: (-t.specificity, t.name, t.pk))
    return rows[0] if rows else None


def suggestion_for(template: ResponseTemplate, *, account=None, contact=None, user=None, requested: str = ""):
    """``template``'s current version filled for the account, contact and agent."""
    if contact is not None and account is not None and contact.account_id != account.pk:
        raise ValueError("The contact is not at this account.")
    context = placeholders.context_for(account=account, contact=contact, agent=user)
    subject = placeholders.render(template.subject, context)
    body = placeholders.render(template.body, context)
    return Suggestion(
        template_id=template.pk,
        version=template.current_version,
        name=template.name,
        emotion=template.emotion,
        subject=subject.text,
        body=body.text,
        guidance=template.guidance,
        missing=tuple(dict.fromkeys(subject.missing + body.missing)),
        journey_stage=template.journey_stage,
        channel=template.channel,
        requested_emotion=requested if requested != template.emotion else "",
    )


def template_suggest(
    *,
    emotion: str,
    journey_stage: str = "",
    channel: str = "",
    account=None,
    contact=None,
    user=None,
) -> Suggestion | None:
    """The most specific active template for ``emotion`` at ``journey_stage`` on ``channel``, filled from the
    account's, contact's and agent's data; None when there is none (or the user may not see templates).

    A business emotion without a template of its own falls back to its base emotion family (frustration →
    anger), taken from the taxonomy's components. ``user`` restricts the templates to those they may see
    and fills the ``agent.*`` placeholders; ``user=None`` is for system callers.
    """
    if not emotion:
        return None
    candidates = ResponseTemplate.objects.all() if user is None else templates_visible_to(user)
    template = _most_specific(candidates, emotion=emotion, journey_stage=journey_stage or "", channel=channel or "")
    if template is None:
        family = base_family(emotion)
        if family and family != emotion:
            template = _most_specific(
                candidates, emotion=family, journey_stage=journey_stage or "", channel=channel or ""
            )
    if template is None:
        return None
    return suggestion_for(template, account=account, contact=contact, user=user, requested=emotion)


def usages_visible_to(user) -> QuerySet[TemplateUsage]:
    """Uses of templates on the accounts ``user`` may see (or all, with ``responses.view_templateusage``)."""
    return TemplateUsage.objects.restrict(user, "view").select_related("template", "version", "account", "user")


def usage_counts(templates: QuerySet[ResponseTemplate]) -> QuerySet[ResponseTemplate]:
    """``templates`` annotated with ``usage_count`` and ``edited_count``."""
    from django.db.models import Q

    return templates.annotate(
        usage_count=Count("usages", distinct=True),
        edited_count=Count("usages", filter=Q(usages__edited=True), distinct=True),
    )


def usage_targets(*, user, template_pk, version_number, account_pk, contact_pk=None) -> tuple:
    """The template, version, account and contact a use is recorded against, each checked against what ``user``
    may see: an unknown or invisible one is a 404, so another account's existence does not leak."""
    from apps.crm.selectors import contact_list, get_account_for_user

    def as_int(value, what: str) -> int:
        try:
            return int(value)
        except (TypeError, ValueError):
            raise Http404(f"No such {what}.") from None

    template = get_template_for_user(user, as_int(template_pk, "response template"))
    account = get_account_for_user(user=user, pk=as_int(account_pk, "account"))
    contact = None
    if contact_pk not in (None, ""):
        contact = contact_list(user=user).filter(pk=as_int(contact_pk, "contact"), account=account).first()
        if contact is None:
            raise Http404("No such contact at this account.")
    version = template.versions.filter(number=as_int(version_number, "version")).first()
    if version is None:
        raise Http404("No such version of this template.")
    return template, version, account, contact
