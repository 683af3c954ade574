from django.apps import AppConfig


class ResponsesConfig(AppConfig):
    """Suggested response templates by emotional state, journey stage and channel; versions and usage."""

    name = "apps.responses"
    label = "responses"
    verbose_name = "Response templates"
