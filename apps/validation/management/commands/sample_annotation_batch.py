"""``manage.py sample_annotation_batch``: draw an annotation batch by strategy (deterministic given the seed)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from apps.validation.choices import Strategy


class Command(BaseCommand):
    help = "Draw an annotation batch of customer messages by strategy; the same data and seed draw the same sample."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--strategy", choices=Strategy.values, default=Strategy.RANDOM)
        parser.add_argument("--size", type=int, default=50)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--annotators", type=int, default=2, help="annotators per message")
        parser.add_argument("--platform", default="", help="with --strategy platform")

    def handle(self, *args, **opts):
        from apps.validation.services import batch_create

        try:
            batch = batch_create(
                name=opts["name"],
                strategy=opts["strategy"],
                size=opts["size"],
                seed=opts["seed"],
                annotators_required=opts["annotators"],
                platform=opts["platform"],
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(self.style.SUCCESS(f"batch #{batch.pk} “{batch}”: {batch.items.count()} messages"))
