from django.apps import AppConfig


class CoachingConfig(AppConfig):
    """Teams, agents, outcome-based coaching metrics and coaching reviews (never agents' emotions)."""

    name = "apps.coaching"
    label = "coaching"
    verbose_name = "Coaching"
