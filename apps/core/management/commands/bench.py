"""``manage.py bench [NAME ...] [--scale F] [--repeats N] [--json]``: run the benchmarks, print figures."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.test.utils import setup_databases, teardown_databases

from apps.core.bench import Bench, discover


class Command(BaseCommand):
    help = "Run the benchmarks in a throwaway database and print their figures (medians, ratios to targets)."

    def add_arguments(self, parser):
        parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
        parser.add_argument("--scale", type=float, default=1.0, help="multiply every workload size")
        parser.add_argument("--repeats", type=int, default=3, help="repeats per figure (median is reported)")
        parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
        parser.add_argument("--list", action="store_true", help="list the benchmarks and stop")

    def handle(self, *args, **opts):
        registry = discover()
        if opts["list"]:
            for name in registry:
                self.stdout.write(name)
            return
        unknown = [n for n in opts["names"] if n not in registry]
        if unknown:
            raise CommandError(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(registry)}")
        if opts["repeats"] < 1 or opts["scale"] <= 0:
            raise CommandError("--repeats must be at least 1 and --scale above 0")
        selected = opts["names"] or list(registry)
        old_config = setup_databases(verbosity=0, interactive=False)
        results = {}
        try:
            for name in selected:
                bench = Bench(scale=opts["scale"], repeats=opts["repeats"])
                if not opts["json"]:
                    self.stdout.write(self.style.MIGRATE_HEADING(f"== {name}"))
                registry[name](bench)
                results[name] = [f.as_dict() for f in bench.figures]
                if not opts["json"]:
                    for f in bench.figures:
                        self.stdout.write(self._line(f.as_dict()))
        finally:
            teardown_databases(old_config, verbosity=0)
        if opts["json"]:
            self.stdout.write(json.dumps(results, indent=2))

    @staticmethod
    def _line(fig: dict) -> str:
        target = ""
        if fig["target"] is not None:
            verdict = "meets" if fig["meets_target"] else "MISSES"
            target = f"  target {fig['target']:g} → ratio {fig['ratio_to_target']:.2f} ({verdict})"
        return f"  {fig['name']:<48} median {fig['median']:>12,.3f} {fig['unit']}{target}"
