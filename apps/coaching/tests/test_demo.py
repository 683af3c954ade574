"""The coaching demo seed: the team, its agents' conversations, one signed and one draft review; idempotent."""

import pytest

from apps.coaching import demo, metrics
from apps.coaching.models import AgentProfile, CoachingReview, Team
from apps.core import demo as core_demo

pytestmark = pytest.mark.django_db


def test_the_demo_seed_runs_twice_without_duplicating_and_gives_agents_conversations(settings):
    settings.SCORING_ENGINE = "lexicon"
    core_demo.seed(accounts=30, messages=600)
    first = demo.seed()
    second = demo.seed()
    assert first == second == {"teams": 1, "reviews": 2}
    team = Team.objects.get(name="Support EU")
    assert [u.username for u in team.supervisors.all()] == ["supervisor.sam"]
    assert sorted(p.user.username for p in team.members.all()) == ["agent.dana", "agent.emil"]
    signed = CoachingReview.objects.get(agent__user__username="agent.dana")
    assert signed.status == "signed" and signed.agent_signed_at and signed.supervisor_signed_at
    assert signed.conversations.count() == 2 and signed.actions.count() == 2
    draft = CoachingReview.objects.get(agent__user__username="agent.emil")
    assert draft.status == "draft" and draft.conversations.count() == 1
    figures = metrics.agents_metrics(list(AgentProfile.objects.all()), metrics.period_last(90))
    for agent_figures in figures.values():
        assert agent_figures.count > 10
        tags = {t for c in agent_figures.conversations for t in c.behaviours}
        assert tags == {"acknowledgement", "apology"}
        assert any(not c.behaviours for c in agent_figures.conversations)  # some replies have neither
        assert agent_figures.hostile > 0
    emil = AgentProfile.objects.get(user__username="agent.emil")
    yesterday = metrics.agents_metrics([emil], metrics.period_last(2))[emil.pk]
    assert yesterday.longest_hostile_run_in_a_shift >= 3 and yesterday.needs_support  # the rough shift
