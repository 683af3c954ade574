"""Reads of the coaching app: who may see which team, agent and review, and the figures behind the pages.

The visibility rule is in one place, here, on top of ``restrict``: a supervisor reaches their teams through
an object grant on the team (agents and reviews inherit it, see ``models``); an agent additionally reaches
their own profile and reviews, and nothing else. Anyone else gets nothing, so pages and the API answer 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from apps.coaching import metrics
from apps.coaching.choices import ReviewStatus
from apps.coaching.models import (
    AgentProfile,
    CoachingReview,
    DiscussedConversation,
    ReviewAction,
    Team,
    TeamReview,
    TeamReviewAction,
)


def _own(user) -> Q:
    return Q(user=user) if user is not None and user.is_authenticated and user.is_active else Q(pk__in=[])


def teams_visible_to(user, action: str = "view") -> QuerySet[Team]:
    """Teams whose coaching data ``user`` may read (``view``) or write reviews for (``change``)."""
    return Team.objects.restrict(user, action).prefetch_related("supervisors")


def get_team_for_user(user, pk: int, action: str = "view") -> Team:
    team = teams_visible_to(user, action).filter(pk=pk).first()
    if team is None:
        raise Http404("No such team.")
    return team


def agents_visible_to(user) -> QuerySet[AgentProfile]:
    """Profiles of the agents in the user's teams, plus the user's own."""
    restricted = AgentProfile.objects.restrict(user, "view").values("pk")
    return AgentProfile.objects.filter(Q(pk__in=restricted) | _own(user)).select_related("user", "team")


def agents_coachable_by(user) -> QuerySet[AgentProfile]:
    """Agents ``user`` may write reviews for: members of the teams they supervise (never themselves)."""
    queryset = AgentProfile.objects.restrict(user, "change").select_related("user", "team")
    return queryset.exclude(user=user) if user is not None and user.is_authenticated else queryset


def get_agent_for_user(user, pk: int) -> AgentProfile:
    agent = agents_visible_to(user).filter(pk=pk).first()
    if agent is None:
        raise Http404("No such agent.")
    return agent


def _review_queryset() -> QuerySet[CoachingReview]:
    return CoachingReview.objects.select_related("agent__user", "agent__team", "supervisor").prefetch_related(
        Prefetch("conversations", DiscussedConversation.objects.select_related("source")),
        Prefetch("actions", ReviewAction.objects.select_related("owner")),
    )


def _own_reviews(user) -> Q:
    """An agent's own reviews, once shared with them (a draft is the supervisor's working copy)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    return Q(agent__user=user) & ~Q(status=ReviewStatus.DRAFT)


def reviews_visible_to(user) -> QuerySet[CoachingReview]:
    """Reviews of the agents in the user's teams, plus the user's own reviews (as the agent) once shared."""
    restricted = CoachingReview.objects.restrict(user, "view").values("pk")
    return _review_queryset().filter(Q(pk__in=restricted) | _own_reviews(user))


def reviews_writable_by(user) -> QuerySet[CoachingReview]:
    """Reviews ``user`` may act on: those of their teams' agents, and their own shared ones (to sign)."""
    restricted = CoachingReview.objects.restrict(user, "change").values("pk")
    return _review_queryset().filter(Q(pk__in=restricted) | _own_reviews(user))


def get_review_for_user(user, pk: int) -> CoachingReview:
    review = reviews_visible_to(user).filter(pk=pk).first()
    if review is None:
        raise Http404("No such review.")
    return review


def team_reviews_visible_to(user, action: str = "view") -> QuerySet[TeamReview]:
    """Team reviews: for the team's supervisors (agents see their own reviews, not the team's)."""
    return (
        TeamReview.objects.restrict(user, action)
        .select_related("team", "author", "signed_by")
        .prefetch_related(Prefetch("actions", TeamReviewAction.objects.select_related("owner")))
    )


def get_team_review_for_user(user, pk: int, action: str = "view") -> TeamReview:
    review = team_reviews_visible_to(user, action).filter(pk=pk).first()
    if review is None:
        raise Http404("No such team review.")
    return review


def agent_metrics(agent: AgentProfile, period: metrics.Period) -> metrics.AgentMetrics:
    """One agent's figures over ``period``."""
    return metrics.agents_metrics([agent], period)[agent.pk]


@dataclass
class TeamOverview:
    """A team with each agent's figures, most exposed first."""

    team: Team
    rows: list[tuple[AgentProfile, metrics.AgentMetrics]]


def overview_for(user, period: metrics.Period) -> list[TeamOverview]:
    """The user's teams, each with its active agents' figures sorted by who needs support first."""
    teams = list(
        teams_visible_to(user).prefetch_related(
            Prefetch("members", AgentProfile.objects.filter(is_active=True).select_related("user"))
        )
    )
    agents = [a for t in teams for a in t.members.all()]
    figures = metrics.agents_metrics(agents, period)
    return [
        TeamOverview(
            team=t,
            rows=sorted(
                ((a, figures[a.pk]) for a in t.members.all()),
                key=lambda row: (*row[1].support_order, row[0].display_name),
            ),
        )
        for t in teams
    ]


def conversation_labels(conversations) -> tuple[dict[int, str], dict[int, str]]:
    """Source and account names for a list of conversations (two queries, whatever their number)."""
    from apps.crm.models import Account
    from apps.sources.models import Source

    source_ids = {c.source_id for c in conversations}
    account_ids = {c.account_id for c in conversations if getattr(c, "account_id", None)}
    sources = dict(Source.objects.filter(pk__in=source_ids).values_list("pk", "name")) if source_ids else {}
    accounts = dict(Account.objects.filter(pk__in=account_ids).values_list("pk", "name")) if account_ids else {}
    return sources, accounts
