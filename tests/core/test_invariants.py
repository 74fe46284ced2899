"""House rules that keep the architecture honest."""

import ast
import io
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
# the project's own apps (from INSTALLED_APPS, so a new practice is covered at once), plus the project package
PROJECT_APPS = [config.label for config in apps.get_app_configs() if Path(config.path).parent == ROOT]
PRODUCT_DIRS = [*PROJECT_APPS, "itsm"]
AUDITED = r"(Ticket|Incident|Problem|Change|ServiceRequest|Improvement|AuditEntry)"
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


def imported_modules(path):
    """(line, top-level package) of every import in a module, at any depth (module level or inside functions)."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name.split(".")[0]) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module.split(".")[0]


def test_project_apps_are_known():
    assert {"core", "incidents", "slm", "cmdb", "events", "demo"} <= set(PROJECT_APPS)


def test_core_imports_no_other_project_app():
    """core looks practices up through core/hooks.py and core/registry.py; not even a function-level import."""
    others = set(PROJECT_APPS) - {"core"}
    offenders = [f"{path.relative_to(ROOT)}:{line}: {module}" for path in (ROOT / "core").rglob("*.py")
                 for line, module in imported_modules(path) if module in others]
    assert offenders == [], "core imports another app:\n" + "\n".join(offenders)


def test_only_demo_imports_demo():
    offenders = [f"{path.relative_to(ROOT)}:{line}" for name in PRODUCT_DIRS if name != "demo"
                 for path in (ROOT / name).rglob("*.py") for line, module in imported_modules(path) if module == "demo"]
    assert offenders == []
