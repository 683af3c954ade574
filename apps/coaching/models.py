"""Teams, agents and coaching reviews.

Coaching is about customer outcomes of the conversations an agent handled and what the agent observably
wrote; nothing here stores or infers an agent's emotional state (EU AI Act Art. 5(1)(f)).

Visibility, in one chain: a supervisor holds an object grant on the team (``coaching.view_team`` to read,
``coaching.change_team`` to write its coaching records); agent profiles and reviews inherit it through
``restrict_via``. What an agent may see of their own is added in ``selectors`` (one place).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.coaching.choices import ReviewStatus, TeamReviewStatus
from apps.core.models import BaseModel


class Team(BaseModel):
    """A support team: its supervisors coach its members."""

    object_permissions = True

    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    supervisors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="supervised_teams",
        verbose_name=_("supervisors"),
        help_text=_("They see the coaching data of this team's agents, and nobody else's."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


def _normalise_handle(value: str) -> str:
    return value.strip().lower()


class AgentProfile(BaseModel):
    """A support agent: their team and the identities their replies carry at the sources."""

    restrict_via = "team"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent_profile", verbose_name=_("user")
    )
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="members", verbose_name=_("team")
    )
    handles = models.JSONField(
        _("handles"),
        default=list,
        blank=True,
        help_text=_(
            "How this agent's replies appear at the sources (a message's author handle), e.g. "
            '["dana@emotionhub.demo", "@dana_helps"]. Only messages written as an agent count.'
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["user__username"]
        verbose_name = _("agent profile")
        verbose_name_plural = _("agent profiles")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.user.get_full_name() or self.user.get_username()

    def clean(self) -> None:
        if not isinstance(self.handles, list) or not all(isinstance(h, str) and h.strip() for h in self.handles):
            raise ValidationError({"handles": _("Handles must be a list of non-empty strings.")})
        self.handles = sorted({_normalise_handle(h) for h in self.handles})
        taken = [
            h
            for other in AgentProfile.objects.exclude(pk=self.pk).only("handles")
            for h in other.handles or []
            if h in self.handles
        ]
        if taken:
            raise ValidationError(
                {"handles": _("Already another agent's handle: %(handles)s.") % {"handles": ", ".join(sorted(taken))}}
            )


class ActionBase(BaseModel):
    """Something agreed in a review: what, who does it, by when."""

    text = models.CharField(_("action"), max_length=500)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    due_date = models.DateField(_("due date"))

    class Meta:
        abstract = True
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return self.text


class CoachingReview(BaseModel):
    """A supervisor's review with one agent over a period: the conversations discussed, notes, agreed
    actions, and the sign-off of both. Read-only once both have signed."""

    restrict_via = "agent"

    agent = models.ForeignKey(AgentProfile, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("agent"))
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="coaching_reviews_given",
        verbose_name=_("supervisor"),
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT)
    shared_at = models.DateTimeField(_("shared at"), null=True, blank=True, editable=False)
    supervisor_signed_at = models.DateTimeField(_("signed by the supervisor at"), null=True, blank=True, editable=False)
    agent_signed_at = models.DateTimeField(_("signed by the agent at"), null=True, blank=True, editable=False)
    agent_comment = models.TextField(_("agent's comment"), blank=True)

    class Meta:
        ordering = ["-period_end", "-id"]
        verbose_name = _("coaching review")
        verbose_name_plural = _("coaching reviews")
        indexes = [models.Index(fields=["agent", "-period_end"], name="coaching_review_agent_period")]

    def __str__(self) -> str:
        return f"{self.agent} · {self.period_start:%Y-%m-%d}–{self.period_end:%Y-%m-%d}"

    @property
    def is_editable(self) -> bool:
        """Notes, conversations and actions change only while it is a draft."""
        return self.status == ReviewStatus.DRAFT

    @property
    def is_signed_by_both(self) -> bool:
        return bool(self.supervisor_signed_at and self.agent_signed_at)

    def clean(self) -> None:
        if self.period_start and self.period_end and self.period_start > self.period_end:
            raise ValidationError({"period_end": _("The period ends before it starts.")})
        if self.agent_id and self.supervisor_id and self.agent.user_id == self.supervisor_id:
            raise ValidationError({"supervisor": _("An agent cannot review themselves.")})


class DiscussedConversation(BaseModel):
    """A conversation (a thread at a source) a review discusses: a reference, never a copy of the text."""

    restrict_via = "review"

    review = models.ForeignKey(CoachingReview, on_delete=models.CASCADE, related_name="conversations")
    source = models.ForeignKey("sources.Source", on_delete=models.PROTECT, related_name="+", verbose_name=_("source"))
    thread_id = models.CharField(_("thread id"), max_length=200)
    note = models.CharField(_("what to discuss"), max_length=500, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("conversation discussed")
        verbose_name_plural = _("conversations discussed")
        constraints = [
            models.UniqueConstraint(fields=["review", "source", "thread_id"], name="coaching_discussed_once"),
        ]

    def __str__(self) -> str:
        return f"{self.source_id}:{self.thread_id}"


class ReviewAction(ActionBase):
    """An action agreed in a coaching review."""

    restrict_via = "review"

    review = models.ForeignKey(CoachingReview, on_delete=models.CASCADE, related_name="actions")

    class Meta(ActionBase.Meta):
        verbose_name = _("agreed action")
        verbose_name_plural = _("agreed actions")


class TeamReview(BaseModel):
    """A team-level review over a period: notes and actions, signed by a supervisor of the team."""

    restrict_via = "team"

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("team"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("written by")
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=TeamReviewStatus.choices, default=TeamReviewStatus.DRAFT
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("signed by"),
    )
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-period_end", "-id"]
        verbose_name = _("team review")
        verbose_name_plural = _("team reviews")

    def __str__(self) -> str:
        return f"{self.team} · {self.period_start:%Y-%m-%d}–{self.period_end:%Y-%m-%d}"

    @property
    def is_editable(self) -> bool:
        return self.status == TeamReviewStatus.DRAFT

    def clean(self) -> None:
        if self.period_start and self.period_end and self.period_start > self.period_end:
            raise ValidationError({"period_end": _("The period ends before it starts.")})


class TeamReviewAction(ActionBase):
    """An action agreed in a team review."""

    restrict_via = "team_review"

    team_review = models.ForeignKey(TeamReview, on_delete=models.CASCADE, related_name="actions")

    class Meta(ActionBase.Meta):
        verbose_name = _("team action")
        verbose_name_plural = _("team actions")
