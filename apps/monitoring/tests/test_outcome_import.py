"""CSV import of account outcomes: every row validated, row numbers in errors, all or nothing, idempotent."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from apps.core.testing import ActorsTestCase
from apps.monitoring import services
from apps.monitoring.models import AccountOutcome
from tests.factories import AccountFactory, UserFactory

YESTERDAY = (timezone.localdate() - dt.timedelta(days=1)).isoformat()


def csv_of(*rows: str, header: str = "account_external_id,kind,occurred_on,value,note") -> str:
    return "\n".join([header, *rows]) + "\n"


class CsvImportTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.a = AccountFactory(external_id="ACC-A")
        cls.b = AccountFactory(external_id="ACC-B")

    def test_a_valid_file_is_imported(self):
        data = csv_of(f"ACC-A,churned,{YESTERDAY},-12000,Moved to a competitor", f"ACC-B,renewed,{YESTERDAY},,")
        report = services.outcomes_import_csv(data=data)
        self.assertTrue(report.written)
        self.assertEqual(report.summary(), {"created": 2, "updated": 0, "unchanged": 0, "invalid": 0})
        churn = AccountOutcome.objects.get(account=self.a)
        self.assertEqual((churn.kind, churn.value, churn.source), ("churned", Decimal("-12000.00"), "csv"))
        self.assertEqual(churn.note, "Moved to a competitor")

    def test_account_id_column_works_too(self):
        data = csv_of(f"{self.b.pk},expanded,{YESTERDAY},5000", header="account_id,kind,occurred_on,value")
        report = services.outcomes_import_csv(data=data)
        self.assertEqual(report.count("created"), 1)
        self.assertEqual(AccountOutcome.objects.get().account, self.b)

    def test_re_importing_the_same_file_changes_nothing(self):
        data = csv_of(f"ACC-A,churned,{YESTERDAY},-12000,x", f"ACC-B,renewed,{YESTERDAY},,")
        services.outcomes_import_csv(data=data)
        again = services.outcomes_import_csv(data=data)
        self.assertEqual(again.summary(), {"created": 0, "updated": 0, "unchanged": 2, "invalid": 0})
        self.assertEqual(AccountOutcome.objects.count(), 2)

    def test_a_corrected_value_updates_the_same_outcome(self):
        services.outcomes_import_csv(data=csv_of(f"ACC-A,churned,{YESTERDAY},-12000,"))
        report = services.outcomes_import_csv(data=csv_of(f"ACC-A,churned,{YESTERDAY},-15000,"))
        self.assertEqual(report.count("updated"), 1)
        self.assertEqual(AccountOutcome.objects.get().value, Decimal("-15000.00"))

    def test_each_kind_of_invalid_row_is_reported_with_its_row_number_and_nothing_is_imported(self):
        future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
        data = csv_of(
            f"ACC-A,churned,{YESTERDAY},-100,fine",  # row 2: valid
            f"ACC-NOPE,churned,{YESTERDAY},,",  # 3: unknown account
            f"ACC-A,lost,{YESTERDAY},,",  # 4: unknown kind
            "ACC-A,renewed,31/12/2025,,",  # 5: not ISO date
            f"ACC-A,renewed,{future},,",  # 6: future
            f"ACC-B,expanded,{YESTERDAY},lots,",  # 7: not a number
            f"ACC-B,contracted,{YESTERDAY},500,",  # 8: wrong sign
            f",renewed,{YESTERDAY},,",  # 9: no account
            f"ACC-A,churned,{YESTERDAY},-100,again",  # 10: duplicates row 2
        )
        report = services.outcomes_import_csv(data=data)
        self.assertFalse(report.written)
        errors = {r.row: r.errors for r in report.errors}
        self.assertEqual(sorted(errors), [3, 4, 5, 6, 7, 8, 9, 10])
        self.assertIn("ACC-NOPE", errors[3]["account_external_id"][0])
        self.assertIn("'lost' is not one of churned", errors[4]["kind"][0])
        self.assertIn("YYYY-MM-DD", errors[5]["occurred_on"][0])
        self.assertIn("future", errors[6]["occurred_on"][0])
        self.assertIn("not a number", errors[7]["value"][0])
        self.assertIn("negative", errors[8]["value"][0])
        self.assertIn("account_external_id or account_id", errors[9]["account_external_id"][0])
        self.assertIn("row 2", errors[10]["non_field_errors"][0])
        self.assertEqual(AccountOutcome.objects.count(), 0)

    def test_partial_imports_the_valid_rows_and_keeps_the_rest(self):
        data = csv_of(f"ACC-A,churned,{YESTERDAY},,", f"ACC-B,lost,{YESTERDAY},,")
        report = services.outcomes_import_csv(data=data, partial=True)
        self.assertTrue(report.written)
        self.assertEqual(report.summary()["created"], 1)
        self.assertEqual([r.row for r in report.errors], [3])
        self.assertEqual(AccountOutcome.objects.get().account, self.a)

    def test_a_file_with_wrong_columns_is_refused_whole(self):
        with self.assertRaisesMessage(ValidationError, "Unknown columns: customer"):
            services.outcomes_import_csv(data="customer,kind,occurred_on\nx,churned,2026-01-01\n")
        with self.assertRaisesMessage(ValidationError, "no rows"):
            services.outcomes_import_csv(data="account_id,kind,occurred_on\n")
        with self.assertRaisesMessage(ValidationError, "not UTF-8"):
            services.outcomes_import_csv(data=b"account_id,kind,occurred_on\n\xff\xfe,x,y\n")

    def test_the_command_imports_and_reports_rows(self):
        path = self._file(csv_of(f"ACC-A,churned,{YESTERDAY},,"))
        out = io.StringIO()
        call_command("import_outcomes", str(path), stdout=out)
        self.assertIn("1 created", out.getvalue())
        bad = self._file(csv_of(f"ACC-A,renewed,{YESTERDAY},,", f"ACC-B,lost,{YESTERDAY},,"))
        err = io.StringIO()
        with self.assertRaisesMessage(CommandError, "Nothing imported"):
            call_command("import_outcomes", str(bad), stderr=err)
        self.assertIn("row 3: kind:", err.getvalue())
        self.assertEqual(AccountOutcome.objects.count(), 1)

    def _file(self, text: str):
        import tempfile
        from pathlib import Path

        handle = tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding="utf-8")  # noqa: SIM115
        handle.write(text)
        handle.close()
        self.addCleanup(Path(handle.name).unlink)
        return Path(handle.name)


class AdminImportTest(ActorsTestCase):
    def setUp(self):
        self.staff = UserFactory(username="cx", is_staff=True)
        self.grant(self.staff, AccountOutcome, "view", "add")
        self.grant_perm(self.staff, "crm.view_account")
        self.client.force_login(self.staff)
        self.url = reverse("admin:monitoring_accountoutcome_import")

    def upload(self, text: str, partial: bool = False):
        from django.core.files.uploadedfile import SimpleUploadedFile

        data = {"file": SimpleUploadedFile("outcomes.csv", text.encode())}
        if partial:
            data["partial"] = "on"
        return self.client.post(self.url, data)

    def test_the_admin_form_imports_a_valid_file(self):
        ext = self.account.external_id
        response = self.upload(csv_of(f"{ext},churned,{YESTERDAY},,"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Imported")
        self.assertEqual(AccountOutcome.objects.get().account, self.account)

    def test_the_admin_form_lists_invalid_rows_and_imports_nothing(self):
        ext = self.account.external_id
        response = self.upload(csv_of(f"{ext},churned,{YESTERDAY},,", f"{ext},gone,{YESTERDAY},,"))
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Nothing was imported", status_code=400)
        self.assertContains(response, "<td>3</td>", status_code=400)
        self.assertEqual(AccountOutcome.objects.count(), 0)

    def test_staff_without_add_permission_cannot_import(self):
        viewer = UserFactory(username="viewer", is_staff=True)
        self.grant(viewer, AccountOutcome, "view")
        self.client.force_login(viewer)
        self.assertEqual(self.client.get(self.url).status_code, 403)


class LargeCsvTest(TestCase):
    def test_a_file_may_hold_more_rows_than_one_api_call(self):
        account = AccountFactory(external_id="ACC-BIG")
        today = timezone.localdate()
        rows = [f"ACC-BIG,renewed,{(today - dt.timedelta(days=i + 1)).isoformat()},," for i in range(1001)]
        report = services.outcomes_import_csv(data=csv_of(*rows))
        self.assertEqual(report.count("created"), 1001)
        self.assertEqual(AccountOutcome.objects.filter(account=account).count(), 1001)
