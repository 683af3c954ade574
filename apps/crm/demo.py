"""Demo data of the account workspace, seeded after the core demo (accounts, messages, scores and alerts exist).

- every account's daily emotion rollups, rebuilt from the scores (scoring keeps them in step already; a
  rebuild makes an old demo database right too);
- the support agents and their supervisor are granted view access to the key accounts they support, so
  "My accounts" shows them something (account managers are granted theirs by the CRM service);
- a handoff note on the three least healthy accounts of each account manager, support → customer success.

Deterministic and idempotent: grants are set, notes are keyed on (account, text).
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm

from apps.crm import selectors, services
from apps.crm.models import Account, HandoffNote

MANAGERS = ("am.alice", "am.bruno", "am.chen")
SUPPORT = ("agent.dana", "agent.emil", "supervisor.sam")
KEY_ACCOUNTS_PER_AGENT = 15
NOTE = (
    "Handing over from support. {contact} was angry about repeated failures of {what} over the last weeks; "
    "we fixed it and credited the account, but trust is shaken. Please call before the renewal talk, "
    "acknowledge the history first, and do not open with an upsell."
)


def seed(*, today: dt.date | None = None) -> dict[str, int]:
    """Rollups, agents' grants and handoff notes for the demo; returns counts of what exists afterwards."""
    User = get_user_model()
    today = today or timezone.localdate()
    rows = services.account_rollups_rebuild()
    users = {u.username: u for u in User.objects.filter(username__in=MANAGERS + SUPPORT)}
    with transaction.atomic():
        key_accounts = list(
            Account.objects.filter(external_id__startswith="DEMO-", is_key_account=True).order_by("external_id")
        )
        for i, username in enumerate(SUPPORT):
            user = users.get(username)
            if user is None:
                continue
            chunk = key_accounts[i * KEY_ACCOUNTS_PER_AGENT : (i + 1) * KEY_ACCOUNTS_PER_AGENT]
            if username.startswith("supervisor."):  # the supervisor sees what their agents see
                chunk = key_accounts[: 2 * KEY_ACCOUNTS_PER_AGENT]
            for account in chunk:
                assign_perm("crm.view_account", user, account)
        for username in MANAGERS:
            manager = users.get(username)
            # Once a manager has their notes, a later run leaves them: the least healthy accounts shift as the
            # other apps' demo seeds add messages, and a re-run must not write notes on other accounts.
            if (
                manager is None
                or HandoffNote.objects.filter(account__account_manager=manager, to_team="success").exists()
            ):
                continue
            worst = [
                r.account
                for r in selectors.workspace_rows(user=manager, sort="health", today=today)
                if r.health is not None and (r.account.external_id or "").startswith("DEMO-")
            ][:3]
            # Written by the agent who handled the tickets (granted the account), for the manager who takes over.
            author = users.get("agent.dana") or manager
            for account in worst:
                assign_perm("crm.view_account", author, account)
                contact = account.contacts.order_by("name").first()
                text = NOTE.format(contact=contact.name if contact else "The customer", what="the nightly export")
                if not HandoffNote.objects.filter(account=account, context=text).exists():
                    services.handoff_note_create(
                        account=account, author=author, from_team="support", to_team="success", context=text
                    )
    return {
        "account-day rollups": rows,
        "handoff notes": HandoffNote.objects.filter(account__external_id__startswith="DEMO-").count(),
    }
