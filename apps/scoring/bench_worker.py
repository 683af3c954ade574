"""Measure one engine in a process of its own: ``python -m apps.scoring.bench_worker --engine linear``.

A separate process per engine, so that peak memory is that engine's alone, pinned to one core.
Prints one JSON object: messages/s (median over repeats) for the raw engine and for the product's
full pipeline (cleaning, domain lexicon, business emotions), and the process's peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

SAMPLE_LINES = (
    "This is the third time the export has broken this week. Absolutely unacceptable.",
    "Thank you so much! The dashboards work perfectly now and the team is thrilled.",
    "I'm worried we'll miss payroll if billing doesn't work by Friday. Please help urgently.",
    "Could you tell me how to add a new user to the reporting module?",
    "Honestly disappointed, we were promised the sync would be fixed in the last release.",
    "Wait, SSO now needs a separate licence? That's news to us.",
    "lol this update is sick 🔥🔥",
    "Great, another outage. My team is sitting idle.",
)


def corpus(n: int) -> list[str]:
    """``n`` texts: GoEmotions dev comments when the shared data is there, else realistic support lines."""
    tsv = os.environ.get("EMOTIONHUB_BENCH_TSV") or str(
        Path(__file__).resolve().parents[3] / "shared" / "data" / "goemotions-ekman" / "dev.tsv"
    )
    texts: list[str] = []
    if os.path.exists(tsv):
        with open(tsv, encoding="utf-8") as handle:
            texts = [line.split("\t", 1)[0] for line in handle if line.strip()]
    texts = texts or list(SAMPLE_LINES)
    return [texts[i % len(texts)] for i in range(n)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", required=True)
    parser.add_argument("--model-path")
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--pipeline", action="store_true", help="also time the full product pipeline")
    args = parser.parse_args(argv)

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emotionhub.settings")
    import django

    django.setup()
    from apps.scoring.engines import build_engine

    started = time.perf_counter()
    options = {"model_path": args.model_path} if args.model_path else {}
    engine = build_engine(args.engine, options)
    if args.engine == "transformers":
        import torch

        torch.set_num_threads(1)
    load_seconds = time.perf_counter() - started
    texts = corpus(args.n)
    engine.score_batch(texts[: args.batch])  # warm-up

    def timed(run) -> list[float]:
        rates = []
        for _ in range(args.repeats):
            t = time.perf_counter()
            for start in range(0, len(texts), args.batch):
                run(texts[start : start + args.batch])
            rates.append(len(texts) / (time.perf_counter() - t))
        return rates

    report = {
        "engine": engine.name,
        "model_version": engine.version,
        "messages": len(texts),
        "load_seconds": round(load_seconds, 3),
        "engine_rates": timed(engine.score_batch),
    }
    if args.pipeline:
        from apps.scoring import pipeline
        from apps.scoring.taxonomy import DEFAULT_AROUSAL, DEFAULT_VALENCE, DomainLexicon, Taxonomy

        tax = Taxonomy(DEFAULT_VALENCE, DEFAULT_AROUSAL, (), DomainLexicon())
        report["pipeline_rates"] = timed(
            lambda chunk: pipeline.score_texts(chunk, engine=engine, tax=tax, languages=["en"] * len(chunk))
        )
    from apps.core.bench import peak_rss_mb

    report["peak_rss_mb"] = peak_rss_mb()
    report["engine_median"] = round(statistics.median(report["engine_rates"]), 1)
    if args.pipeline:
        report["pipeline_median"] = round(statistics.median(report["pipeline_rates"]), 1)
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    main()
