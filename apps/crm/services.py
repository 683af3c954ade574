"""Writes of the CRM app. Every change goes through here, so object grants stay in step."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from guardian.shortcuts import assign_perm, remove_perm

from apps.crm.models import Account, Contact, ContactIdentity, Segment

#: What an account manager may do with the accounts assigned to them.
MANAGER_PERMISSIONS = ("crm.view_account", "crm.change_account")

User = get_user_model()


def _grant_manager(account: Account, previous_manager_id: int | None) -> None:
    if previous_manager_id and previous_manager_id != account.account_manager_id:
        previous = User.objects.filter(pk=previous_manager_id).first()
        if previous is not None:
            for perm in MANAGER_PERMISSIONS:
                remove_perm(perm, previous, account)
    if account.account_manager_id:
        for perm in MANAGER_PERMISSIONS:
            assign_perm(perm, account.account_manager, account)


@transaction.atomic
def account_create(**fields) -> Account:
    """Create an account; its account manager (if any) is granted access to it."""
    account = Account(**fields)
    account.full_clean()
    account.save()
    _grant_manager(account, None)
    return account


@transaction.atomic
def account_update(*, account: Account, **fields) -> Account:
    """Change an account; a new account manager gains access and the previous one loses it."""
    previous_manager_id = Account.objects.filter(pk=account.pk).values_list("account_manager_id", flat=True).first()
    for key, value in fields.items():
        setattr(account, key, value)
    account.full_clean()
    account.save()
    _grant_manager(account, previous_manager_id)
    return account


def account_assign_manager(*, account: Account, manager) -> Account:
    """Hand an account to ``manager`` (or to nobody with ``None``)."""
    return account_update(account=account, account_manager=manager)


@transaction.atomic
def segment_save(*, segment: Segment | None = None, **fields) -> Segment:
    """Create or change a segment."""
    segment = segment or Segment()
    for key, value in fields.items():
        setattr(segment, key, value)
    segment.full_clean()
    segment.save()
    return segment


@transaction.atomic
def contact_save(*, contact: Contact | None = None, **fields) -> Contact:
    """Create or change a contact; their email is kept as an identity for message resolution."""
    contact = contact or Contact()
    for key, value in fields.items():
        setattr(contact, key, value)
    contact.full_clean()
    contact.save()
    if contact.email:
        ContactIdentity.objects.filter(contact=contact, kind="email").exclude(value=contact.email).delete()
        identity_add(contact=contact, kind="email", value=contact.email)
    return contact


@transaction.atomic
def identity_add(*, contact: Contact, kind: str, value: str, platform: str = "") -> ContactIdentity:
    """Attach an identifier to a contact (idempotent for the same contact)."""
    identity = ContactIdentity(contact=contact, kind=kind, value=value, platform=platform)
    identity.clean()
    existing = ContactIdentity.objects.filter(
        kind=identity.kind, platform=identity.platform, value=identity.value
    ).first()
    if existing is not None:
        if existing.contact_id != contact.pk:
            raise ValidationError({"value": f"{identity} already belongs to another contact."})
        return existing
    identity.full_clean()
    identity.save()
    return identity
