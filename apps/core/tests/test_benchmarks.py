"""Every in-process benchmark still runs (at a tiny scale), so `make bench` does not rot between releases."""

import pytest

from apps.core.bench import Bench, discover

IN_PROCESS = ["messages_bulk_create_and_list", "ingest_batch_api", "ingest_webhook_latency", "scoring_q2_end_to_end"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("name", IN_PROCESS)
def test_the_benchmark_runs_and_reports_figures(name, settings):
    settings.SCORING_ENGINE = "lexicon"
    registry = discover()
    bench = Bench(scale=0.01, repeats=1)
    registry[name](bench)
    assert bench.figures
    assert all(f.samples and f.median >= 0 for f in bench.figures)
