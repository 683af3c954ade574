"""The workspace benchmark still runs (at a tiny scale), so `manage.py bench crm_workspace` does not rot."""

import pytest

from apps.core.bench import Bench, discover


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_workspace_benchmark_runs_and_reports_its_figures():
    bench = Bench(scale=0.0005, repeats=1)
    discover()["crm_workspace"](bench)
    names = [f.name for f in bench.figures]
    assert "account page p95" in names and "emotion-context API p95" in names
    assert all(f.samples and f.median >= 0 for f in bench.figures)
