"""Reads of the CRM app: every one takes the user and returns only what they may see."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from apps.crm.models import Account, Contact


def account_list(*, user, action: str = "view") -> QuerySet[Account]:
    """The accounts ``user`` may ``action``, with their segment and manager joined."""
    return Account.objects.select_related("segment", "account_manager").restrict(user, action)


def get_account_for_user(*, user, pk: int, action: str = "view") -> Account:
    """The account, or a 404 when it does not exist or the user may not see it."""
    return get_object_or_404(account_list(user=user, action=action), pk=pk)


def contact_list(*, user) -> QuerySet[Contact]:
    """The contacts of the accounts ``user`` may see."""
    return Contact.objects.select_related("account").restrict(user, "view")
