"""Benchmarks of the scoring app: each engine's throughput and memory, and 10,000 messages through q2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from apps.core.bench import Bench, benchmark

TARGETS = {"linear": 5000, "lexicon": 20000}  # messages/s on one core (issue: scoring)
RSS_TARGET_MB = {"linear": 400}


def _run_worker(engine: str, n: int, repeats: int, model_path: str | None = None) -> dict:
    cmd = [
        sys.executable,
        "-m",
        "apps.scoring.bench_worker",
        "--engine",
        engine,
        "--n",
        str(n),
        "--repeats",
        str(repeats),
        "--pipeline",
    ]
    if model_path:
        cmd += ["--model-path", model_path]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "DJANGO_SETTINGS_MODULE": "emotionhub.settings"}
    # Our own interpreter and module, with arguments we built: nothing untrusted reaches the command line.
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=settings.BASE_DIR, env=env)  # noqa: S603
    return json.loads(out.stdout)


def _engines() -> list[tuple[str, str | None, str]]:
    engines = [("linear", None, "linear"), ("lexicon", None, "lexicon")]
    try:
        import torch  # noqa: F401
    except ImportError:
        return engines
    path = os.environ.get("TRANSFORMERS_MODEL_PATH")
    if not path:
        from apps.scoring.tests.tiny_hf import build_tiny_model

        path = str(build_tiny_model(Path(tempfile.mkdtemp()) / "tiny-bench-model"))
        engines.append(("transformers", path, "transformers (tiny model built on the fly)"))
    else:
        engines.append(("transformers", path, f"transformers ({Path(path).name})"))
    return engines


@benchmark("scoring_engines")
def scoring_engines(bench: Bench) -> None:
    """Each engine alone in a process pinned to one core: raw and full-pipeline messages/s, peak RSS."""
    n = bench.scaled(20_000)
    for engine, model_path, label in _engines():
        size = n if engine != "transformers" else max(500, n // 10)
        report = _run_worker(engine, size, bench.repeats, model_path)
        bench.record(f"{label}: engine", report["engine_rates"], "messages/s", target=TARGETS.get(engine))
        bench.record(f"{label}: full pipeline", report["pipeline_rates"], "messages/s")
        bench.record(
            f"{label}: peak RSS",
            [report["peak_rss_mb"]],
            "MB",
            target=RSS_TARGET_MB.get(engine),
            higher_is_better=False,
        )


@benchmark("scoring_q2_end_to_end")
def scoring_q2_end_to_end(bench: Bench) -> None:
    """10,000 stored customer messages scored through the q2 task path (synchronous cluster) into the database."""
    from django_q.conf import Conf

    from apps.crm import services as crm_services
    from apps.scoring.models import EmotionScore
    from apps.scoring.tasks import enqueue_scoring
    from apps.sources.models import Message, Source

    from .bench_worker import corpus

    n = bench.scaled(10_000)
    account = crm_services.account_create(name="Bench scoring account")
    source = Source.objects.create(name="Bench scoring", slug="bench-scoring", kind="ticketing", platform="zendesk")
    texts = corpus(n)
    rates = []
    sync, Conf.SYNC = Conf.SYNC, True
    try:
        for repeat in range(bench.repeats):
            rows = [
                Message(
                    source=source,
                    external_id=f"q{repeat}-{i}",
                    account=account,
                    text=texts[i],
                    language="en",
                    created_at_source=timezone.now(),
                )
                for i in range(n)
            ]
            created = Message.objects.bulk_create(rows, batch_size=1000)
            ids = (
                [m.pk for m in created]
                if created[0].pk
                else list(Message.objects.filter(external_id__startswith=f"q{repeat}-").values_list("pk", flat=True))
            )
            elapsed = bench.timer()
            enqueue_scoring(ids)
            rates.append(n / elapsed())
            assert EmotionScore.objects.filter(message_id__in=ids).count() == n
    finally:
        Conf.SYNC = sync
    bench.record(f"{n:,} messages scored via q2 tasks (batches of 500)", rates, "messages/s")
