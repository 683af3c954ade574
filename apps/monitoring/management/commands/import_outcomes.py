"""``manage.py import_outcomes file.csv``: account outcomes from a CSV file, all or nothing by default."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from apps.monitoring import services


class Command(BaseCommand):
    help = (
        "Import account outcomes (columns: account_external_id or account_id, kind, occurred_on, value, note, "
        "external_ref). Every row is validated; one invalid row and nothing is imported unless --partial."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--partial", action="store_true", help="import the valid rows and report the rest")

    def handle(self, *args, file: Path, partial: bool, **options):
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from None
        try:
            report = services.outcomes_import_csv(data=data, partial=partial)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        for row in report.errors:
            problems = "; ".join(f"{field}: {' '.join(errors)}" for field, errors in row.errors.items())
            self.stderr.write(f"row {row.row}: {problems}")
        summary = report.summary()
        line = ", ".join(f"{n} {status}" for status, n in summary.items())
        if not report.written:
            raise CommandError(f"Nothing imported ({line}). Fix the rows above, or use --partial.")
        self.stdout.write(self.style.SUCCESS(f"Imported: {line}."))
