"""``manage.py rescore``: score the backlog (or everything again with a new model) in batches."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime
from tqdm import tqdm

from apps.scoring import services
from apps.scoring.engines import build_engine
from apps.scoring.models import EmotionScore
from apps.sources.choices import AuthorRole, MessageStatus
from apps.sources.models import Message


class Command(BaseCommand):
    help = (
        "Score customer messages that have no score for the active model version yet (the backlog). "
        "Safe to interrupt and run again: finished messages are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--engine",
            choices=["linear", "lexicon", "transformers"],
            help="score with this engine instead of the active one",
        )
        parser.add_argument("--model-path", help="with --engine transformers: the local model directory")
        parser.add_argument("--source", help="only messages of this source (slug)")
        parser.add_argument("--since", help="only messages created at the source from this ISO date-time")
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--limit", type=int, help="stop after this many messages")
        parser.add_argument(
            "--queue", action="store_true", help="hand the batches to q2 workers instead of scoring here"
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **opts):
        if opts["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        if opts["queue"] and opts["engine"]:
            raise CommandError(
                "--queue scores with the active model; activate the model in the admin instead of --engine"
            )
        if opts["engine"]:
            engine = build_engine(opts["engine"], {"model_path": opts["model_path"]} if opts["model_path"] else {})
        else:
            engine = services.active_engine()
        version = engine.version
        queryset = (
            Message.objects.filter(author_role=AuthorRole.CUSTOMER)
            .exclude(status__in=[MessageStatus.TOMBSTONE, MessageStatus.NOISE])
            .exclude(pk__in=EmotionScore.objects.filter(model_version=version).values("message_id"))
        )
        if opts["source"]:
            queryset = queryset.filter(source__slug=opts["source"])
        if opts["since"]:
            since = parse_datetime(opts["since"])
            if since is None:
                raise CommandError(f"--since {opts['since']!r} is not an ISO date-time (e.g. 2026-11-01T00:00:00Z)")
            queryset = queryset.filter(created_at_source__gte=since)
        ids = list(queryset.order_by("pk").values_list("pk", flat=True)[: opts["limit"]])
        self.stdout.write(f"{len(ids)} messages to score with {engine.name} {version}")
        if opts["queue"]:
            from apps.scoring.tasks import enqueue_scoring

            self.stdout.write(f"queued {enqueue_scoring(ids)} batches")
            return
        totals: dict[str, int] = {}
        with tqdm(total=len(ids), unit="msg", disable=opts["no_progress"]) as bar:
            for start in range(0, len(ids), opts["batch_size"]):
                batch = ids[start : start + opts["batch_size"]]
                for key, value in services.messages_score(message_ids=batch, engine=engine).items():
                    totals[key] = totals.get(key, 0) + value
                bar.update(len(batch))
        self.stdout.write(self.style.SUCCESS("done: " + ", ".join(f"{v} {k}" for k, v in totals.items() if v)))
