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
        "--check trains into a temporary folder and proves the shipped artifact is reproduced: byte for byte, or on "
        "another CPU up to floating point with identical vocabulary, thresholds and decisions."
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
        if errors or fresh_only:
            raise CommandError(f"not reproduced: missing {errors}, extra {fresh_only}")
        if not mismatch:
            self.stdout.write(self.style.SUCCESS(f"reproduced byte for byte: {', '.join(match)}"))
            return
        # Another CPU's BLAS kernels sum in another order, so iterative training lands on slightly different
        # floats. Accept that only when everything else is identical and the two models decide the same.
        verdict = equivalence(shipped, target, data / "dev.tsv")
        if verdict["problems"]:
            raise CommandError(f"not reproduced: differing {mismatch}; " + "; ".join(verdict["problems"]))
        self.stdout.write(
            self.style.SUCCESS(
                f"reproduced up to floating point: {', '.join(mismatch)} differ by at most "
                f"{verdict['max_weight_difference']:.4g} (this CPU's BLAS), vocabulary, idf, thresholds and "
                f"training figures identical, dev label sets agree on {verdict['agreement']:.2%} of "
                f"{verdict['rows']} texts"
            )
        )


#: Below this share of dev texts with the same predicted label set, two trainings are different models.
MIN_AGREEMENT = 0.99


def equivalence(shipped: Path, fresh: Path, dev_tsv: Path) -> dict:
    """Compare two linear artifacts whose array files differ: what must be identical, and how alike they decide."""
    import json

    import numpy as np

    from apps.scoring.engines.linear import LinearEngine

    problems = []
    for name in ("vocab.json", "idf.npy"):
        if not filecmp.cmp(shipped / name, fresh / name, shallow=False):
            problems.append(f"{name} differs")

    def comparable(meta: dict) -> dict:
        # hashes and the id derived from them follow the array bytes; everything else must match
        return {k: v for k, v in meta.items() if k not in ("sha256", "model_id")}

    metas = [json.loads((d / "meta.json").read_text(encoding="utf-8")) for d in (shipped, fresh)]
    if comparable(metas[0]) != comparable(metas[1]):
        problems.append("meta.json differs beyond the array checksums (parameters, thresholds or figures)")
    max_difference = max(
        float(np.abs(np.load(shipped / n) - np.load(fresh / n)).max())
        for n in ("weights.npy", "bias.npy", "dense.npy")
        if np.load(shipped / n).shape == np.load(fresh / n).shape
    )
    texts = [line.split("\t", 1)[0] for line in dev_tsv.read_text(encoding="utf-8").splitlines() if line.strip()]
    engines = [LinearEngine(shipped), LinearEngine(fresh)]
    decided = []
    for engine in engines:
        thresholds = np.array([engine.thresholds[label] for label in engine.labels])
        decided.append(engine.predict_proba(texts) >= thresholds)
    agreement = float(np.mean(np.all(decided[0] == decided[1], axis=1))) if texts else 1.0
    if agreement < MIN_AGREEMENT:
        problems.append(f"the models decide differently on {1 - agreement:.2%} of dev texts")
    return {"problems": problems, "max_weight_difference": max_difference, "agreement": agreement, "rows": len(texts)}
