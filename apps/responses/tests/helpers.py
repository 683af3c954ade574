"""Test helpers: templates made through the service, as users make them."""

from __future__ import annotations

from apps.responses import services
from apps.responses.models import ResponseTemplate


def make_template(*, user=None, **fields) -> ResponseTemplate:
    """A template (version 1) for ``frustration`` unless told otherwise."""
    defaults = {
        "name": "Apology",
        "emotion": "frustration",
        "subject": "Re: {{ account.name }}",
        "body": "Hi {{ contact.first_name }}, I am sorry. {{ agent.first_name }}",
        "guidance": "Acknowledge – Apologise – Act – Follow up.",
    }
    return services.template_save(user=user, **{**defaults, **fields})
