"""``manage.py train_default_model``: reproduce the shipped default engine from the GoEmotions data."""

from __future__ import annotations

import filecmp
import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.scoring.engines.linear import DEFAULT_ARTIFACT_DIR

DEFAULT_DATA = Path(__file__).resolve().parents[5] / "shared" / "data" / "goemotions-ekman"


class Command(BaseCommand):
    help = (
        "Train the default (linear) engine on train.tsv, tune its thresholds on dev.tsv and write the artifact. "
        "--check trains into a temporary folder and proves the shipped artifact is reproduced byte for byte."
    )

    def add_arguments(self, parser):
        parser.add_argument("--data", default=str(DEFAULT_DATA), help="folder with train.tsv, dev.tsv, labels.txt")
        parser.add_argument("--out", default=str(DEFAULT_ARTIFACT_DIR), help="where to write the artifact")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--check", action="store_true", help="compare a fresh training with the shipped artifact")

    def handle(self, *args, **opts):
        from apps.scoring.ml.train_linear import train

        data = Path(opts["data"])
        missing = [name for name in ("train.tsv", "dev.tsv", "labels.txt") if not (data / name).exists()]
        if missing:
            raise CommandError(f"{data} lacks {', '.join(missing)} (the GoEmotions-Ekman folder)")
        target = Path(tempfile.mkdtemp(prefix="linear-check-")) if opts["check"] else Path(opts["out"])
        started = time.perf_counter()
        train(data / "train.tsv", data / "dev.tsv", data / "labels.txt", target, seed=opts["seed"])
        self.stdout.write(f"trained in {time.perf_counter() - started:.1f} s → {target}")
        if not opts["check"]:
            return
        shipped = Path(opts["out"])
        names = sorted(p.name for p in shipped.iterdir() if p.is_file())
        match, mismatch, errors = filecmp.cmpfiles(shipped, target, names, shallow=False)
        fresh_only = sorted({p.name for p in target.iterdir()} - set(names))
        if mismatch or errors or fresh_only:
            raise CommandError(f"not reproduced: differing {mismatch}, missing {errors}, extra {fresh_only}")
        self.stdout.write(self.style.SUCCESS(f"reproduced byte for byte: {', '.join(match)}"))
