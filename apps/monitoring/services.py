"""Writes of the model monitoring app: outcomes (one, a batch, a CSV file), weekly drift reports, drift alerts."""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.audit import acting_as
from apps.crm.models import Account
from apps.monitoring.choices import DriftAlertStatus, DriftStatus, OutcomeKind, OutcomeSource
from apps.monitoring.models import AccountOutcome, DriftAlert, DriftReport, DriftSettings

logger = logging.getLogger("emotionhub.monitoring")

MAX_BATCH = 1000  # items per API call
MAX_CSV_ROWS = 50_000  # rows per CSV file
MAX_CSV_BYTES = 5 * 1024 * 1024
CSV_COLUMNS = ("account_external_id", "account_id", "kind", "occurred_on", "value", "note", "external_ref")
FIELDS = ("value", "note", "external_ref", "source")


# --- outcomes ---------------------------------------------------------------------------------------


@dataclass
class RowResult:
    """What happened to one item of a batch (``row`` is the CSV line number, or the list index)."""

    row: int
    status: str  # created | updated | unchanged | invalid
    id: int | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class ImportReport:
    """The outcome of a batch: per-row results, and whether anything was written."""

    results: list[RowResult]
    written: bool

    @property
    def errors(self) -> list[RowResult]:
        return [r for r in self.results if r.status == "invalid"]

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    def summary(self) -> dict[str, int]:
        return {s: self.count(s) for s in ("created", "updated", "unchanged", "invalid")}


def _text(item: Mapping, key: str) -> str:
    value = item.get(key)
    return "" if value is None else str(value).strip()


def _parse(item: Mapping, accounts: dict[str, Account], ids: dict[int, Account], scoped: bool) -> tuple[dict, dict]:
    """The fields of one item, or errors saying what is wrong with it (``scoped``: the accounts are those a user
    may see, and the error says so rather than whether the account exists)."""
    errors: dict[str, list[str]] = {}
    fields: dict = {}
    ext, pk = _text(item, "account_external_id"), _text(item, "account_id") or _text(item, "account")
    account = None
    if ext:
        account = accounts.get(ext)
        if account is None:
            errors["account_external_id"] = [
                (
                    _("No account with external id %(v)r that you may see.")
                    if scoped
                    else _("No account with external id %(v)r.")
                )
                % {"v": ext}
            ]
    elif pk:
        account = ids.get(int(pk)) if pk.isdigit() else None
        if account is None:
            errors["account_id"] = [
                (_("No account with id %(v)r that you may see.") if scoped else _("No account with id %(v)r."))
                % {"v": pk}
            ]
    else:
        errors["account_external_id"] = [_("Give account_external_id or account_id.")]
    fields["account"] = account
    kind = _text(item, "kind").lower()
    if kind not in OutcomeKind.values:
        errors["kind"] = [
            _("%(v)r is not one of %(kinds)s.") % {"v": kind, "kinds": ", ".join(OutcomeKind.values)}
            if kind
            else _("The kind is required (%(kinds)s).") % {"kinds": ", ".join(OutcomeKind.values)}
        ]
    fields["kind"] = kind
    raw_date = _text(item, "occurred_on")
    try:
        fields["occurred_on"] = dt.date.fromisoformat(raw_date)
    except ValueError:
        errors["occurred_on"] = [
            _("%(v)r is not a date; use YYYY-MM-DD.") % {"v": raw_date} if raw_date else _("The date is required.")
        ]
    raw_value = _text(item, "value")
    fields["value"] = None
    if raw_value:
        try:
            fields["value"] = Decimal(raw_value.replace(",", ""))
            if not fields["value"].is_finite():
                raise InvalidOperation
        except InvalidOperation:
            errors["value"] = [_("%(v)r is not a number.") % {"v": raw_value}]
    fields["note"] = _text(item, "note")
    fields["external_ref"] = _text(item, "external_ref")
    if not errors:
        instance = AccountOutcome(**fields)
        try:
            instance.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    return fields, errors


_LOOKUP_CHUNK = 1000  # ids per IN (...) query: well under every database's bound-parameter limit
_MAX_ID_DIGITS = 18  # a longer "id" cannot be a database id (and would overflow the query)


def _chunks(values: list, size: int = _LOOKUP_CHUNK):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _accounts_for(items: list, user) -> tuple[dict[str, Account], dict[int, Account]]:
    """The accounts the items name, among those ``user`` may see (everyone's for a command: ``user=None``)."""
    visible = Account.objects.all() if user is None else Account.objects.restrict(user, "view")
    mappings = [i for i in items if isinstance(i, Mapping)]
    exts = sorted({_text(i, "account_external_id") for i in mappings} - {""})
    pks = sorted(
        {
            int(v)
            for i in mappings
            if (v := _text(i, "account_id") or _text(i, "account")).isdigit() and len(v) <= _MAX_ID_DIGITS
        }
    )
    by_ext = {a.external_id: a for chunk in _chunks(exts) for a in visible.filter(external_id__in=chunk)}
    by_pk = {a.pk: a for chunk in _chunks(pks) for a in visible.filter(pk__in=chunk)}
    return by_ext, by_pk


@transaction.atomic
def outcomes_record(
    *,
    items: list,
    user=None,
    source: str = OutcomeSource.API,
    partial: bool = False,
    first_row: int = 0,
    max_items: int = MAX_BATCH,
) -> ImportReport:
    """Validate every item, then create or update the outcomes, keyed on (account, kind, date).

    All or nothing by default: one invalid item and nothing is written, every item's errors are reported.
    ``partial=True`` writes the valid items and reports the rest. Recording the same items again is a
    no-op ("unchanged"), so a re-import is idempotent. ``user`` limits the accounts to those they may see.
    """
    if len(items) > max_items:
        raise ValidationError(
            _("At most %(n)s outcomes at a time; this batch has %(m)s.") % {"n": max_items, "m": len(items)}
        )
    by_ext, by_pk = _accounts_for(items, user)
    parsed: list[tuple[int, dict, dict]] = []
    seen: dict[tuple, int] = {}
    for offset, item in enumerate(items):
        row = first_row + offset
        if not isinstance(item, Mapping):
            parsed.append((row, {}, {"non_field_errors": [_("Each outcome is an object.")]}))
            continue
        fields, errors = _parse(item, by_ext, by_pk, scoped=user is not None)
        if not errors:
            key = (fields["account"].pk, fields["kind"], fields["occurred_on"])
            if key in seen:
                errors["non_field_errors"] = [_("The same outcome as row %(r)s.") % {"r": seen[key]}]
            else:
                seen[key] = row
        parsed.append((row, fields, errors))
    invalid = [RowResult(row=row, status="invalid", errors=errors) for row, _f, errors in parsed if errors]
    valid = [(row, fields) for row, fields, errors in parsed if not errors]
    if not valid or (invalid and not partial):
        return ImportReport(results=invalid, written=False)
    results = {r.row: r for r in invalid}
    existing = _existing_outcomes(list(seen))
    try:
        with transaction.atomic(), acting_as(user):
            for row, fields in valid:
                key = (fields["account"].pk, fields["kind"], fields["occurred_on"])
                results[row] = _outcome_upsert(fields={**fields, "source": source}, existing=existing.get(key))
                results[row].row = row
    except IntegrityError:
        # Another import created one of these outcomes between our read and our write: ours is rolled back whole.
        raise ValidationError(
            _("Another import recorded some of these outcomes at the same time; send them again.")
        ) from None
    return ImportReport(results=[results[row] for row, _f, _e in parsed], written=True)


def _existing_outcomes(keys: list[tuple]) -> dict[tuple, AccountOutcome]:
    """The stored outcomes of these (account, kind, date) keys, locked for the update, in a few queries."""
    out: dict[tuple, AccountOutcome] = {}
    wanted = set(keys)
    account_ids = sorted({k[0] for k in keys})
    for chunk in _chunks(account_ids):
        for outcome in AccountOutcome.objects.select_for_update().filter(account_id__in=chunk):
            key = (outcome.account_id, outcome.kind, outcome.occurred_on)
            if key in wanted:
                out[key] = outcome
    return out


def _outcome_upsert(*, fields: dict, existing: AccountOutcome | None) -> RowResult:
    """Create the outcome, or bring the stored one up to date (each save audited, so no bulk writes here)."""
    if existing is None:
        outcome = AccountOutcome(**fields)
        outcome.full_clean()
        outcome.save()
        return RowResult(row=0, status="created", id=outcome.pk)
    changed = [f for f in ("value", "note", "external_ref") if getattr(existing, f) != fields[f]]
    if not changed:
        return RowResult(row=0, status="unchanged", id=existing.pk)
    for name in changed:
        setattr(existing, name, fields[name])
    existing.full_clean()
    existing.save()
    return RowResult(row=0, status="updated", id=existing.pk)


def outcomes_import_csv(*, data: bytes | str, user=None, partial: bool = False) -> ImportReport:
    """Import a CSV file of outcomes (header row; columns ``account_external_id`` or ``account_id``, ``kind``,
    ``occurred_on``, optional ``value``, ``note``, ``external_ref``). Rows are numbered as in a spreadsheet
    (the header is row 1). All or nothing unless ``partial``."""
    if isinstance(data, bytes):
        if len(data) > MAX_CSV_BYTES:
            raise ValidationError(_("The file is larger than %(n)s MB.") % {"n": MAX_CSV_BYTES // (1024 * 1024)})
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError(_("The file is not UTF-8 text.")) from None
    reader = csv.DictReader(io.StringIO(data))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if not header:
        raise ValidationError(_("The file is empty."))
    reader.fieldnames = header
    unknown = [h for h in header if h not in (*CSV_COLUMNS, "account")]
    if unknown:
        raise ValidationError(
            _("Unknown columns: %(u)s. Expected: %(c)s.") % {"u": ", ".join(unknown), "c": ", ".join(CSV_COLUMNS)}
        )
    if not {"account_external_id", "account_id", "account"} & set(header) or not {"kind", "occurred_on"} <= set(header):
        raise ValidationError(_("The header needs account_external_id (or account_id), kind and occurred_on."))
    rows = [row for row in reader if any((v or "").strip() for v in row.values() if isinstance(v, str))]
    if not rows:
        raise ValidationError(_("The file has a header but no rows."))
    return outcomes_record(
        items=rows, user=user, source=OutcomeSource.CSV, partial=partial, first_row=2, max_items=MAX_CSV_ROWS
    )


# --- drift ------------------------------------------------------------------------------------------


def drift_week_compute(*, week_start: dt.date, notify: bool = True) -> list[DriftReport]:
    """Compute (or recompute: the rows are updated) the drift reports of one ISO week, per platform and model
    version, and raise a drift alert for each platform above the alert threshold (once per week and platform)."""
    from apps.monitoring import drift

    week_start = week_start - dt.timedelta(days=week_start.weekday())
    policy = DriftSettings.current()
    reports = []
    for computed in drift.week_reports(week_start=week_start, policy=policy):
        with transaction.atomic():
            report, _created = DriftReport.objects.update_or_create(
                week_start=week_start,
                platform=computed["platform"],
                model_version=computed["model_version"],
                defaults={k: v for k, v in computed.items() if k not in ("platform", "model_version")}
                | {"computed_at": timezone.now()},
            )
        reports.append(report)
        if report.status == DriftStatus.DRIFT:
            drift_alert_raise(report_id=report.pk, threshold=policy.alert_psi, notify=notify)
    return reports


def drift_last_week_compute(*, today: dt.date | None = None) -> int:
    """The last complete ISO week (the periodic job)."""
    today = today or timezone.localdate()
    this_monday = today - dt.timedelta(days=today.weekday())
    return len(drift_week_compute(week_start=this_monday - dt.timedelta(days=7)))


def _recipients() -> list[str]:
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    return sorted(
        set(users.filter(groups__name__in=("Admin", "CX Analyst")).values_list("email", flat=True))
        | set(users.filter(is_superuser=True).values_list("email", flat=True))
    )


@transaction.atomic
def drift_alert_raise(*, report_id: int, threshold: float, notify: bool = True) -> DriftAlert | None:
    """Open a drift alert for the report's week and platform, unless one exists (recomputing a week, or a
    second model version drifting the same week, is the same incident: the PSI is updated, nobody is emailed
    twice). Emails the admins and CX analysts. Returns the new alert, or None when it already existed."""
    report = DriftReport.objects.get(pk=report_id)
    alert, created = DriftAlert.objects.select_for_update().get_or_create(
        week_start=report.week_start,
        platform=report.platform,
        defaults={"model_version": report.model_version, "report": report, "psi": report.psi, "threshold": threshold},
    )
    if not created:
        if report.psi is not None and report.psi > alert.psi:
            alert.psi, alert.report, alert.model_version = report.psi, report, report.model_version
            alert.save(update_fields=["psi", "report", "model_version", "updated"])
        return None
    if notify:
        recipients = _recipients()
        if recipients:
            subject = _("Model drift on %(platform)s in %(week)s: PSI %(psi).2f") % {
                "platform": report.platform,
                "week": report.iso_week,
                "psi": report.psi,
            }
            body = _(
                "The emotion model %(version)s drifted on %(platform)s in week %(week)s: population stability "
                "index %(psi).2f (alert above %(threshold).2f) on %(n)s scored messages.\n\n"
                "See the drift page (/monitoring/drift/) and the model card before trusting this week's figures."
            ) % {
                "version": report.model_version,
                "platform": report.platform,
                "week": report.iso_week,
                "psi": report.psi,
                "threshold": threshold,
                "n": report.n_messages,
            }
            # Only once the alert is stored: a rolled-back alert must not have emailed anyone.
            transaction.on_commit(
                lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=True)
            )
        alert.notified = recipients
        alert.save(update_fields=["notified", "updated"])
    logger.warning("drift alert: %s", alert)
    return alert


@transaction.atomic
def drift_alert_acknowledge(*, alert: DriftAlert, user) -> DriftAlert:
    """Someone has looked at it."""
    alert = DriftAlert.objects.select_for_update().get(pk=alert.pk)
    if alert.status == DriftAlertStatus.ACKNOWLEDGED:
        return alert
    alert.status, alert.acknowledged_by, alert.acknowledged_at = DriftAlertStatus.ACKNOWLEDGED, user, timezone.now()
    alert.full_clean()
    with acting_as(user):
        alert.save()
    return alert


def drift_weeks_compute(*, weeks: Iterable[dt.date], notify: bool = True) -> int:
    """Several weeks (the demo, a backfill)."""
    return sum(len(drift_week_compute(week_start=w, notify=notify)) for w in weeks)
