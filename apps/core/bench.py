"""The benchmark harness: ``make bench`` / ``manage.py bench``.

Apps declare benchmarks in ``apps/<app>/benchmarks.py`` with ``@benchmark("name")``. Each one is a
function taking a ``Bench`` (timers, figures) and runs in a throwaway test database, so a benchmark
never touches real data. Figures are reported as medians over repeats, with ratios to the targets.
"""

from __future__ import annotations

import importlib
import resource
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps

_REGISTRY: dict[str, Callable[[Bench], None]] = {}


def benchmark(name: str) -> Callable:
    """Register a benchmark function under ``name``."""

    def decorator(func: Callable[[Bench], None]) -> Callable[[Bench], None]:
        _REGISTRY[name] = func
        return func

    return decorator


def discover() -> dict[str, Callable]:
    """Import every installed app's ``benchmarks`` module and return the registry."""
    for config in apps.get_app_configs():
        if config.name.startswith("apps."):
            try:
                importlib.import_module(f"{config.name}.benchmarks")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.benchmarks":
                    raise
    return dict(sorted(_REGISTRY.items()))


@dataclass
class Figure:
    """One measured figure: a median over repeats, with an optional target to compare against."""

    name: str
    samples: list[float]
    unit: str
    target: float | None = None
    higher_is_better: bool = True

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def ratio(self) -> float | None:
        """Median over target (higher is better) or target over median (lower is better): >= 1 meets it."""
        if self.target is None or self.median == 0:
            return None
        return self.median / self.target if self.higher_is_better else self.target / self.median

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "median": round(self.median, 4),
            "unit": self.unit,
            "samples": [round(s, 4) for s in self.samples],
            "target": self.target,
            "ratio_to_target": None if self.ratio is None else round(self.ratio, 3),
            "meets_target": None if self.ratio is None else self.ratio >= 1,
        }


@dataclass
class Bench:
    """What a benchmark function gets: a scale factor, repeats, and a place to put figures."""

    scale: float = 1.0
    repeats: int = 3
    figures: list[Figure] = field(default_factory=list)

    def scaled(self, n: int) -> int:
        return max(1, int(n * self.scale))

    def record(
        self, name: str, samples: list[float], unit: str, *, target: float | None = None, higher_is_better: bool = True
    ) -> Figure:
        figure = Figure(name, samples, unit, target, higher_is_better)
        self.figures.append(figure)
        return figure

    @staticmethod
    def timer() -> Callable[[], float]:
        started = time.perf_counter()
        return lambda: time.perf_counter() - started


def peak_rss_mb() -> float:
    """This process's own peak resident memory, in MB. ``getrusage`` would report a parent's peak too (Linux
    keeps maxrss across fork and exec), so the memory map's high-water mark is read where there is one."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def percentile(samples: list[float], pct: float) -> float:
    """The ``pct`` percentile (0..100) by nearest rank."""
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]
