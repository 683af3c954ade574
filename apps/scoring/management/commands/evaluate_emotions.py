"""``manage.py evaluate_emotions --tsv PATH [--labels PATH] [--engine NAME] [--json]``."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.scoring import evaluation, services
from apps.scoring.engines import build_engine

DEFAULT_LABELS = Path(__file__).resolve().parents[2] / "artifacts" / "labels.txt"


class Command(BaseCommand):
    help = "Score a labelled TSV (GoEmotions format) with an engine and print macro-F1, per-label figures, speed."

    def add_arguments(self, parser):
        parser.add_argument("--tsv", required=True, help="text<TAB>comma-separated label ids<TAB>id, no header")
        parser.add_argument("--labels", default=str(DEFAULT_LABELS), help="label names, one per line")
        parser.add_argument(
            "--engine", choices=["linear", "lexicon", "transformers"], help="default: the active scoring model"
        )
        parser.add_argument("--model-path", help="for --engine transformers: the local model directory")
        parser.add_argument("--language", default="en", help="declared language of the rows (default en)")
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args, **opts):
        try:
            label_names = evaluation.read_labels(opts["labels"])
            rows = evaluation.read_tsv(opts["tsv"], label_names)
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        try:
            if opts["engine"]:
                options = {"model_path": opts["model_path"]} if opts["engine"] == "transformers" else {}
                engine = build_engine(opts["engine"], options)
            else:
                engine = services.active_engine()
            report = evaluation.evaluate(engine, rows, label_names, language=opts["language"] or None)
        except Exception as exc:
            if isinstance(exc, CommandError):
                raise
            raise CommandError(f"evaluation failed: {exc}") from exc
        if opts["json"]:
            self.stdout.write(json.dumps(report, indent=2))
            return
        self.stdout.write(f"{report['engine']} {report['model_version']} on {report['rows']} rows")
        self.stdout.write(
            f"macro-F1 {report['macro_f1']:.4f}   top-label accuracy {report['top_label_accuracy']:.4f}"
            f"   {report['messages_per_second']:,.0f} messages/s"
        )
        for label, row in report["per_label"].items():
            self.stdout.write(
                f"  {label:<10} P {row['precision']:.3f}  R {row['recall']:.3f}  F1 {row['f1']:.3f}  n={row['support']}"
            )
