"""``manage.py seed_demo``: idempotent, deterministic demo data, with the demo logins printed."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.core import demo


class Command(BaseCommand):
    help = "Create the demo data (accounts, messages, users, and every app's demo records). Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--accounts", type=int, default=300)
        parser.add_argument("--messages", type=int, default=4000)
        parser.add_argument("--quiet-logins", action="store_true", help="do not print the demo logins")

    def handle(self, *args, **opts):
        if opts["accounts"] < 1 or opts["messages"] < 0:
            raise CommandError("--accounts must be at least 1 and --messages at least 0")
        counts = demo.seed_everything(accounts=opts["accounts"], messages=opts["messages"])
        self.stdout.write(self.style.SUCCESS("Demo data ready: " + ", ".join(f"{v} {k}" for k, v in counts.items())))
        if opts["quiet_logins"]:
            return
        from rest_framework.authtoken.models import Token

        self.stdout.write("\nDemo logins (username / password — role):")
        from apps.validation.demo import DEMO_ANNOTATORS

        for user in (*demo.DEMO_USERS, *DEMO_ANNOTATORS):
            self.stdout.write(f"  {user.username:<16} {user.password:<24} {user.role}")
        token = Token.objects.get(user__username="integration").key
        self.stdout.write(f"\nAPI token of the 'integration' user: {token}")
        self.stdout.write(f'  curl -H "Authorization: Token {token}" {settings.SITE_URL}/api/v1/accounts/')
        self.stdout.write(
            f'  curl -H "Authorization: Token {token}" -H "X-Purpose: support" '
            f"{settings.SITE_URL}/api/v1/messages/   # emotion data states a purpose"
        )
