"""Shared test data for the retention tests: one account with an ordinary and a vulnerable contact."""

from __future__ import annotations

import datetime as dt

from django.test import TestCase
from django.utils import timezone

from apps.scoring.models import EmotionScore
from apps.sources.models import Message
from tests.factories import AccountFactory, ContactFactory, MessageFactory, SourceFactory


def make_score(message: Message, version: str = "lexicon-1") -> EmotionScore:
    """An emotion score of ``message``, as the scoring task stores it."""
    return EmotionScore.objects.create(
        message=message,
        account_id=message.account_id,
        message_created_at=message.created_at_source,
        engine="lexicon",
        model_version=version,
        scores={"anger": 0.7, "neutral": 0.3},
        dominant="anger",
        valence=-0.6,
        intensity=0.7,
    )


class RetentionTestCase(TestCase):
    """``self.now`` fixed; a helpdesk source; an account with ``self.contact`` and ``self.vulnerable``."""

    @classmethod
    def setUpTestData(cls):
        cls.helpdesk = SourceFactory(slug="helpdesk", kind="ticketing", platform="zendesk")
        cls.account = AccountFactory(name="Quillstack Ltd")
        cls.contact = ContactFactory(account=cls.account, name="Dana Ordinary", email="dana@quillstack.example")
        cls.vulnerable = ContactFactory(
            account=cls.account, name="Vic Vulnerable", email="vic@quillstack.example", is_vulnerable=True
        )

    def setUp(self):
        self.now = timezone.now()

    def message(self, days_old: float, *, contact=None, source=None, **fields) -> Message:
        """A customer's message written ``days_old`` days before ``self.now``."""
        contact = contact or self.contact
        defaults = {
            "text": f"My export has failed again, call me on 07700 900{Message.objects.count():03d}.",
            "subject": "Export broken",
            "author_handle": "@" + contact.name.split()[0].lower(),
            "url": "https://helpdesk.example/tickets/1",
            "metadata": {"ticket": 1, "requester": contact.email},
            "status": "scored",
            "raw_signal": -0.6,
            "rating": 2.0,
            "rating_max": 5.0,
        }
        return MessageFactory(
            source=source or self.helpdesk,
            account=contact.account,
            contact=contact,
            created_at_source=self.now - dt.timedelta(days=days_old),
            **(defaults | fields),
        )
