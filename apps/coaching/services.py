"""Writes of the coaching app: teams and their supervisors' grants, agent profiles, reviews and their sign-off.

A review goes draft → shared → signed: the supervisor writes it while it is a draft and shares it; then the
agent (with a comment) and the supervisor each sign it once; signed by both, it is read-only. Refused input
raises ``ValidationError`` (or ``PermissionDenied`` for someone who may not act) and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, get_users_with_perms, remove_perm

from apps.coaching import selectors
from apps.coaching.choices import ReviewStatus, TeamReviewStatus
from apps.coaching.models import (
    AgentProfile,
    CoachingReview,
    DiscussedConversation,
    ReviewAction,
    Team,
    TeamReview,
    TeamReviewAction,
)
from apps.sources.choices import AuthorRole
from apps.sources.models import Message

#: What a supervisor holds on each team they supervise: read its coaching data, write its reviews.
SUPERVISOR_PERMISSIONS = ("coaching.view_team", "coaching.change_team")


@dataclass(frozen=True)
class ConversationRef:
    """A conversation to discuss: a thread at a source (a reference, not its text)."""

    source_id: int
    thread_id: str
    note: str = ""


@dataclass(frozen=True)
class ActionInput:
    """An action to agree: what, who owns it (a user id), by when."""

    text: str
    owner_id: int
    due_date: dt.date


# --- teams and agents ---------------------------------------------------------------------------------------


def team_supervisors_sync(*, team: Team) -> None:
    """Make the object grants match ``team.supervisors``: new supervisors gain them, former ones lose them."""
    wanted = set(team.supervisors.values_list("pk", flat=True))
    holders = get_users_with_perms(team, with_group_users=False, only_with_perms_in=["view_team", "change_team"])
    for user in holders:
        if user.pk not in wanted:
            for perm in SUPERVISOR_PERMISSIONS:
                remove_perm(perm, user, team)
    for user in get_user_model().objects.filter(pk__in=wanted):
        for perm in SUPERVISOR_PERMISSIONS:
            assign_perm(perm, user, team)


@transaction.atomic
def team_save(*, team: Team | None = None, name: str, description: str = "", supervisors: Iterable = ()) -> Team:
    """Create or change a team and give its supervisors (and only them) access to its coaching data."""
    team = team or Team()
    team.name, team.description = name, description
    team.full_clean()
    team.save()
    team.supervisors.set(list(supervisors))
    team_supervisors_sync(team=team)
    return team


@transaction.atomic
def agent_profile_save(
    *,
    user,
    team: Team | None,
    handles: Sequence[str],
    is_active: bool = True,
    profile: AgentProfile | None = None,
) -> AgentProfile:
    """Create or change an agent's profile: team and the handles their replies carry at the sources."""
    profile = profile or AgentProfile.objects.filter(user=user).first() or AgentProfile(user=user)
    profile.team, profile.handles, profile.is_active = team, list(handles), is_active
    profile.full_clean()
    profile.save()
    return profile


# --- coaching reviews ---------------------------------------------------------------------------------------


def _check_coach(user, agent: AgentProfile) -> None:
    if not selectors.agents_coachable_by(user).filter(pk=agent.pk).exists():
        raise PermissionDenied(_("You do not supervise this agent's team."))


def _period_errors(period_start: dt.date, period_end: dt.date) -> None:
    if period_start > period_end:
        raise ValidationError({"period_end": _("The period ends before it starts.")})
    if period_start > timezone.localdate():
        raise ValidationError({"period_start": _("The period starts in the future.")})


def _clean_conversations(
    agent: AgentProfile, period_start: dt.date, period_end: dt.date, conversations: Sequence[ConversationRef]
) -> list[ConversationRef]:
    """Only threads the agent wrote in during the period can be discussed (one query for all of them)."""
    refs = list({(c.source_id, c.thread_id.strip()): c for c in conversations if c.thread_id.strip()}.values())
    if not refs:
        return []
    from apps.coaching.metrics import Period

    since, until = Period(period_start, period_end).bounds
    pairs = Q()
    for ref in refs:
        pairs |= Q(source_id=ref.source_id, thread_id=ref.thread_id.strip())
    handled = set(
        Message.objects.filter(pairs, author_role=AuthorRole.AGENT, created_at_source__gte=since)
        .filter(created_at_source__lt=until)
        .annotate(handle=Lower("author_handle"))
        .filter(handle__in=agent.handles or [])
        .values_list("source_id", "thread_id")
    )
    unknown = [f"{r.thread_id}" for r in refs if (r.source_id, r.thread_id.strip()) not in handled]
    if unknown:
        raise ValidationError(
            {
                "conversations": _("Not a conversation of this agent in the period: %(threads)s.")
                % {"threads": ", ".join(unknown)}
            }
        )
    return refs


def _clean_actions(
    actions: Sequence[ActionInput], allowed_owner_ids: set[int], period_start: dt.date
) -> list[ActionInput]:
    cleaned = []
    for number, action in enumerate(actions, start=1):
        text = (action.text or "").strip()
        if not text:
            raise ValidationError({"actions": _("Action %(n)s has no text.") % {"n": number}})
        if action.owner_id not in allowed_owner_ids:
            raise ValidationError(
                {"actions": _("Action %(n)s: the owner must be the agent or a supervisor of the team.") % {"n": number}}
            )
        if action.due_date is None or action.due_date < period_start:
            raise ValidationError({"actions": _("Action %(n)s: the due date is before the period.") % {"n": number}})
        cleaned.append(ActionInput(text=text, owner_id=action.owner_id, due_date=action.due_date))
    return cleaned


def _participants(agent: AgentProfile) -> set[int]:
    ids = {agent.user_id}
    if agent.team_id:
        ids |= set(agent.team.supervisors.values_list("pk", flat=True))
    return ids


def _write_children(review: CoachingReview, conversations, actions) -> None:
    review.conversations.all().delete()
    review.actions.all().delete()
    for ref in conversations:
        row = DiscussedConversation(review=review, source_id=ref.source_id, thread_id=ref.thread_id, note=ref.note)
        row.full_clean()
        row.save()
    for action in actions:
        row = ReviewAction(review=review, text=action.text, owner_id=action.owner_id, due_date=action.due_date)
        row.full_clean()
        row.save()


@transaction.atomic
def review_create(
    *,
    supervisor,
    agent: AgentProfile,
    period_start: dt.date,
    period_end: dt.date,
    notes: str = "",
    conversations: Sequence[ConversationRef] = (),
    actions: Sequence[ActionInput] = (),
) -> CoachingReview:
    """A draft review of ``agent`` by ``supervisor`` (who must supervise the agent's team)."""
    _check_coach(supervisor, agent)
    _period_errors(period_start, period_end)
    refs = _clean_conversations(agent, period_start, period_end, conversations)
    cleaned = _clean_actions(actions, _participants(agent), period_start)
    review = CoachingReview(
        agent=agent, supervisor=supervisor, period_start=period_start, period_end=period_end, notes=notes.strip()
    )
    review.full_clean()
    review.save()
    _write_children(review, refs, cleaned)
    return review


def _locked_error(review: CoachingReview) -> ValidationError:
    if review.status == ReviewStatus.SIGNED:
        return ValidationError(_("This review is signed by both and can no longer be changed."))
    return ValidationError(_("This review has been shared with the agent and can no longer be edited."))


def _fresh(review: CoachingReview) -> CoachingReview:
    """The review re-read under a row lock, so two sign-offs at once cannot both win."""
    return CoachingReview.objects.select_for_update(of=("self",)).select_related("agent__team").get(pk=review.pk)


@transaction.atomic
def review_update(
    *,
    review: CoachingReview,
    user,
    notes: str,
    conversations: Sequence[ConversationRef],
    actions: Sequence[ActionInput],
) -> CoachingReview:
    """Change a draft: notes, the conversations discussed and the actions (replaced as a whole)."""
    review = _fresh(review)
    if review.supervisor_id != user.pk:
        raise PermissionDenied(_("Only the supervisor who wrote this review can edit it."))
    if not review.is_editable:
        raise _locked_error(review)
    refs = _clean_conversations(review.agent, review.period_start, review.period_end, conversations)
    cleaned = _clean_actions(actions, _participants(review.agent), review.period_start)
    review.notes = notes.strip()
    review.full_clean()
    review.save()
    _write_children(review, refs, cleaned)
    return review


@transaction.atomic
def review_share(*, review: CoachingReview, user) -> CoachingReview:
    """Share a draft with the agent: from now on it is not edited, only commented on and signed."""
    review = _fresh(review)
    if review.supervisor_id != user.pk:
        raise PermissionDenied(_("Only the supervisor who wrote this review can share it."))
    if not review.is_editable:
        raise ValidationError(_("This review has already been shared."))
    if not review.notes:
        raise ValidationError({"notes": _("Write the notes before sharing the review.")})
    review.status, review.shared_at = ReviewStatus.SHARED, timezone.now()
    review.save(update_fields=["status", "shared_at", "updated"])
    return review


@transaction.atomic
def review_sign(*, review: CoachingReview, user, comment: str = "") -> CoachingReview:
    """Sign a shared review, as its agent (with an optional comment) or as its supervisor; once each."""
    review = _fresh(review)
    as_agent = review.agent.user_id == user.pk
    as_supervisor = review.supervisor_id == user.pk
    if not (as_agent or as_supervisor):
        raise PermissionDenied(_("Only the agent and the supervisor of this review can sign it."))
    if review.status == ReviewStatus.DRAFT:
        raise ValidationError(_("This review is still a draft: it must be shared with the agent before signing."))
    if review.status == ReviewStatus.SIGNED:
        raise ValidationError(_("This review is signed by both and can no longer be changed."))
    now = timezone.now()
    fields = ["updated"]
    if as_agent:
        if review.agent_signed_at:
            raise ValidationError(_("You have already signed this review."))
        review.agent_signed_at, review.agent_comment = now, comment.strip()
        fields += ["agent_signed_at", "agent_comment"]
    else:
        if review.supervisor_signed_at:
            raise ValidationError(_("You have already signed this review."))
        if comment.strip():
            raise ValidationError({"comment": _("The comment is the agent's; the supervisor's notes are above.")})
        review.supervisor_signed_at = now
        fields.append("supervisor_signed_at")
    if review.is_signed_by_both:
        review.status = ReviewStatus.SIGNED
        fields.append("status")
    review.full_clean()
    review.save(update_fields=fields)
    return review


# --- team reviews -------------------------------------------------------------------------------------------


def _team_supervisor(team: Team, user) -> None:
    if not selectors.teams_visible_to(user, "change").filter(pk=team.pk).exists():
        raise PermissionDenied(_("You do not supervise this team."))


def _write_team_actions(review: TeamReview, actions: Sequence[ActionInput]) -> None:
    review.actions.all().delete()
    for action in actions:
        row = TeamReviewAction(team_review=review, text=action.text, owner_id=action.owner_id, due_date=action.due_date)
        row.full_clean()
        row.save()


def _team_people(team: Team) -> set[int]:
    return set(team.supervisors.values_list("pk", flat=True)) | set(team.members.values_list("user_id", flat=True))


@transaction.atomic
def team_review_create(
    *,
    team: Team,
    author,
    period_start: dt.date,
    period_end: dt.date,
    notes: str = "",
    actions: Sequence[ActionInput] = (),
) -> TeamReview:
    """A draft team review by one of the team's supervisors."""
    _team_supervisor(team, author)
    _period_errors(period_start, period_end)
    cleaned = _clean_actions(actions, _team_people(team), period_start)
    review = TeamReview(team=team, author=author, period_start=period_start, period_end=period_end, notes=notes.strip())
    review.full_clean()
    review.save()
    _write_team_actions(review, cleaned)
    return review


@transaction.atomic
def team_review_update(*, review: TeamReview, user, notes: str, actions: Sequence[ActionInput]) -> TeamReview:
    """Change a draft team review (notes and actions)."""
    review = TeamReview.objects.select_for_update().select_related("team").get(pk=review.pk)
    _team_supervisor(review.team, user)
    if not review.is_editable:
        raise ValidationError(_("This team review is signed and can no longer be changed."))
    cleaned = _clean_actions(actions, _team_people(review.team), review.period_start)
    review.notes = notes.strip()
    review.full_clean()
    review.save()
    _write_team_actions(review, cleaned)
    return review


@transaction.atomic
def team_review_sign(*, review: TeamReview, user) -> TeamReview:
    """Sign a team review (a supervisor of the team); signed, it is read-only."""
    review = TeamReview.objects.select_for_update().select_related("team").get(pk=review.pk)
    _team_supervisor(review.team, user)
    if not review.is_editable:
        raise ValidationError(_("This team review is already signed."))
    if not review.notes:
        raise ValidationError({"notes": _("Write the notes before signing the team review.")})
    review.status, review.signed_by, review.signed_at = TeamReviewStatus.SIGNED, user, timezone.now()
    review.save(update_fields=["status", "signed_by", "signed_at", "updated"])
    return review
