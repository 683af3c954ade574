"""``manage.py evaluate_gold``: evaluate a scoring model against the gold labels and keep the run."""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Score the gold-labelled messages in memory with a model (default: the active one) and store the figures."

    def add_arguments(self, parser):
        parser.add_argument("--model", type=int, help="ScoringModel id (default: the active model)")
        parser.add_argument("--json", action="store_true", help="print the metrics as JSON")

    def handle(self, *args, **opts):
        from apps.scoring.models import ScoringModel
        from apps.validation.services import evaluation_run_create

        model = None
        if opts["model"] is not None:
            model = ScoringModel.objects.filter(pk=opts["model"]).first()
            if model is None:
                raise CommandError(f"no scoring model #{opts['model']}")
        try:
            run = evaluation_run_create(scoring_model=model)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        if opts["json"]:
            self.stdout.write(json.dumps(run.metrics, indent=2))
            return
        m = run.metrics
        self.stdout.write(f"evaluation run #{run.pk}: {run.model_version} on {run.n_items} gold messages")
        self.stdout.write(
            f"macro-F1 {m['macro_f1']:.4f}  micro-F1 {m['micro_f1']:.4f}  main label {m['primary_accuracy']:.4f}"
        )
        for label, f in m["per_label"].items():
            self.stdout.write(
                f"  {label:<9} P {f['precision']:.3f}  R {f['recall']:.3f}  F1 {f['f1']:.3f}  support {f['support']}"
            )
