"""CSV exports neutralise spreadsheet formulas: one helper, used by every export."""

import csv
import io

import pytest

from core.csv_export import safe_cell
from slm import reports_service

DANGEROUS = ["=HYPERLINK(\"http://evil\",\"x\")", "+SUM(A1)", "-2+3", "@cmd", "\tlead", "\rlead"]


@pytest.mark.parametrize("value", DANGEROUS)
def test_formula_cells_get_a_leading_quote(value):
    assert safe_cell(value) == "'" + value


def test_harmless_cells_and_numbers_are_unchanged():
    assert safe_cell("web01") == "web01" and safe_cell(-5) == -5 and safe_cell(None) is None
    assert safe_cell("") == ""


def _report(name):
    return {"service": {"name": name}, "organization": None, "period": {"label": "2026-10"},
            "total": {"measured": 1, "met": 1, "breached": 0, "compliance": 100, "mtta_seconds": 1,
                      "mttr_seconds": 2}, "availability": None, "satisfaction": {"average": None, "count": 0},
            "targets": [{"name": "@t", "agreement": "=a", "metric": "resolution", "target_seconds": 60,
                         "measured": 1, "met": 1, "breached": 0, "compliance": 100}],
            "trend": [], "incidents_by_priority": [],
            "breaches": [{"ticket": {"number": "INC1", "title": "=cmd|' /C calc'!A0"}, "metric": "resolution",
                          "target": "t", "breached_at": "2026-10-01"}]}


def test_service_report_csv_is_neutralised():
    rows = list(csv.reader(io.StringIO(reports_service.service_report_csv(_report("+evil")))))
    cells = [cell for row in rows for cell in row]
    assert "'+evil" in cells and "'@t" in cells and "'=a" in cells and "'=cmd|' /C calc'!A0" in cells
    assert not any(cell[:1] in "=+@" for cell in cells if cell)

# The configuration item export is tested in tests/cmdb/test_import_export.py (it needs that module's data).
