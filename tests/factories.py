"""factory-boy factories for the whole project's tests."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from apps.crm.models import Account, Contact, Segment
from apps.sources.models import Message, Source


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("password")


class SegmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Segment
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Segment {n}")
    slug = factory.Sequence(lambda n: f"segment-{n}")


class AccountFactory(factory.django.DjangoModelFactory):
    """An account; pass ``account_manager=user`` to grant them access through the CRM service."""

    class Meta:
        model = Account

    name = factory.Sequence(lambda n: f"Account {n}")
    external_id = factory.Sequence(lambda n: f"ACC-{n:05d}")
    segment = factory.SubFactory(SegmentFactory)
    arr = 12000

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from apps.crm.services import account_create

        return account_create(**kwargs)


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    account = factory.SubFactory(AccountFactory)
    name = factory.Sequence(lambda n: f"Contact {n}")
    email = factory.Sequence(lambda n: f"contact{n}@customer.example")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from apps.crm.services import contact_save

        return contact_save(**kwargs)


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Source {n}")
    slug = factory.Sequence(lambda n: f"source-{n}")
    kind = "ticketing"
    platform = "zendesk"


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    source = factory.SubFactory(SourceFactory)
    external_id = factory.Sequence(lambda n: f"msg-{n}")
    account = factory.SubFactory(AccountFactory)
    contact = None
    author_role = "customer"
    text = "The export keeps failing and nobody answers my ticket."
    language = "en"
    created_at_source = factory.LazyFunction(timezone.now)
