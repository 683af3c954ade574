from django.apps import AppConfig


class CoachingConfig(AppConfig):
    """Teams, agents, outcome-based coaching metrics and coaching reviews (never agents' emotions)."""

    name = "apps.coaching"
    label = "coaching"
    verbose_name = "Coaching"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from apps.coaching import models

        # Review notes and comments are about a person at work: the audit shows that they changed, not what
        # they said (the review itself keeps them).
        auditlog.register(models.Team, m2m_fields={"supervisors"})
        auditlog.register(models.AgentProfile)
        auditlog.register(models.CoachingReview, mask_fields=["notes", "agent_comment"])
        auditlog.register(models.DiscussedConversation, mask_fields=["note"])
        auditlog.register(models.ReviewAction, mask_fields=["text"])
        auditlog.register(models.TeamReview, mask_fields=["notes"])
        auditlog.register(models.TeamReviewAction, mask_fields=["text"])
