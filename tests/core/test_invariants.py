"""House rules that keep the architecture honest."""

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
PRODUCT_DIRS = ["core", "incidents", "servicerequests", "problems", "changes", "slm", "cmdb", "events", "improvement",
                "itsm"]
AUDITED = r"(Ticket|Incident|Problem|Change|ServiceRequest|AuditEntry)"
BULK_WRITE = re.compile(AUDITED + r"\.objects[\w\.\(\)=, \"']*?\.(update|delete)\(")


def product_files():
    for name in PRODUCT_DIRS:
        for path in (ROOT / name).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            yield path


def test_audited_models_are_bulk_written_only_in_services():
    offenders = []
    for path in product_files():
        if path.name == "services.py" or path.parent.name == "services":
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if BULK_WRITE.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == [], "QuerySet.update()/delete() on audited models outside services.py:\n" + "\n".join(
        offenders)


def test_every_beat_entry_names_a_registered_task():
    from django.conf import settings

    from itsm.celery import app

    app.loader.import_default_modules()
    registered = set(app.tasks)
    missing = {name: entry["task"] for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
               if entry["task"] not in registered}
    assert missing == {}


@pytest.mark.django_db
def test_no_model_change_lacks_a_migration():
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exc:
        pytest.fail(f"models changed without a migration:\n{out.getvalue()}" if exc.code else "")


def test_openapi_schema_is_valid_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    assert (tmp_path / "schema.yml").stat().st_size > 10_000
