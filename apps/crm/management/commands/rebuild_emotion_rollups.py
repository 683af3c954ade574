"""``manage.py rebuild_emotion_rollups [--account ID ...]``: rebuild the account emotion rollups from the scores."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from apps.crm import services
from apps.crm.models import Account


class Command(BaseCommand):
    help = "Rebuild the per-account daily emotion rollups from the current emotion scores (safe to run any time)."

    def add_arguments(self, parser):
        parser.add_argument("--account", type=int, action="append", dest="accounts", help="only this account id")

    def handle(self, *args, **opts):
        ids = opts["accounts"]
        if ids:
            unknown = set(ids) - set(Account.objects.filter(pk__in=ids).values_list("pk", flat=True))
            if unknown:
                raise CommandError(f"no such account: {', '.join(map(str, sorted(unknown)))}")
        written = services.account_rollups_rebuild(account_ids=ids)
        self.stdout.write(self.style.SUCCESS(f"{written} account-day rollup rows written."))
