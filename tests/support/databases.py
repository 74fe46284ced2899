"""One migrated PostgreSQL test database per parallel run, copied for each pytest-xdist worker.

Each xdist worker has a test database of its own (pytest-django names them test_<name>_gw0, _gw1, ...), and
migrating one costs about 30 s of CPU (Django renders the model states of every migration), once per worker.
Instead, when the run is parallel and on PostgreSQL, the controller process migrates one template database,
test_<name>_template, in a `manage.py migrate` of its own while the workers start and collect; each worker then
copies it (CREATE DATABASE ... TEMPLATE, about a second), uses the copy as an existing database (pytest-django's
keepdb: its migrate finds nothing to apply) and drops it at the end; the controller drops the template.

Nothing changes without xdist, on SQLite, or with --reuse-db, --create-db or --nomigrations: pytest-django
creates and migrates each database itself.
"""

import fcntl
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

# Set by the controller for its workers (they inherit its environment when they start).
TEMPLATE_VAR = "ITSM_TEST_DB_TEMPLATE"
STATE_VAR = "ITSM_TEST_DB_STATE"
ROOT = Path(__file__).resolve().parents[2]
POSTGRESQL = "django.db.backends.postgresql"


def _default_database():
    from django.conf import settings

    return settings.DATABASES["default"]


def _wanted(config):
    option = config.option
    return (bool(getattr(option, "numprocesses", None)) and getattr(option, "dist", "no") != "no"
            and not (option.reuse_db or option.create_db or option.nomigrations)
            and _default_database()["ENGINE"] == POSTGRESQL and bool(os.environ.get("DATABASE_URL")))


def _nodb_cursor():
    from django.db import connection

    return connection._nodb_cursor()  # the `postgres` database, as Django's own test database creation uses


def _quote(name):
    from django.db import connection

    return connection.ops.quote_name(name)


class Template:
    """The controller's side: the template database, built by a thread that runs migrate in a subprocess and
    holds an exclusive lock on STATE/lock until it is done; STATE/result then says "ok" or why not."""

    def __init__(self, config):
        database = _default_database()
        self.config = config
        self.name = f"{database.get('TEST', {}).get('NAME') or 'test_' + database['NAME']}_template"
        self.state = Path(tempfile.mkdtemp(prefix="itsm-test-db-"))
        self.lock = open(self.state / "lock", "w")  # noqa: SIM115 - held until the template is ready
        fcntl.flock(self.lock, fcntl.LOCK_EX)
        os.environ[TEMPLATE_VAR], os.environ[STATE_VAR] = self.name, str(self.state)
        self.migrate = None
        self.thread = threading.Thread(target=self._build, name="test-db-template", daemon=True)
        self.thread.start()

    def _build(self):
        result = "ok"
        try:
            with self.config.stash[_blocker_key()].unblock(), _nodb_cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {_quote(self.name)} WITH (FORCE)")
                cursor.execute(f"CREATE DATABASE {_quote(self.name)}")
            url = urlsplit(os.environ["DATABASE_URL"])._replace(path="/" + quote(self.name))
            self.migrate = subprocess.Popen(
                [sys.executable, "-m", "django", "migrate", "--run-syncdb", "--noinput", "-v0"], cwd=ROOT,
                env={**os.environ, "DATABASE_URL": url.geturl()}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                text=True)
            output, _ = self.migrate.communicate()
            if self.migrate.returncode:
                result = f"migrate into {self.name} failed:\n{output}"
        except Exception as exc:  # noqa: BLE001 - every worker reports it
            result = f"creating {self.name} failed: {exc!r}"
        (self.state / "result").write_text(result)
        fcntl.flock(self.lock, fcntl.LOCK_UN)

    def drop(self):
        """At the end of the run; a migrate still running (no worker needed a database) is stopped."""
        if self.thread.is_alive() and self.migrate is not None:
            self.migrate.terminate()
        self.thread.join()
        self.lock.close()
        try:
            with self.config.stash[_blocker_key()].unblock(), _nodb_cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {_quote(self.name)} WITH (FORCE)")
        finally:
            shutil.rmtree(self.state, ignore_errors=True)


def _blocker_key():
    from pytest_django.plugin import blocking_manager_key

    return blocking_manager_key


def start_template(config):
    """In the controller of a parallel run on PostgreSQL: start building the template; else None."""
    if hasattr(config, "workerinput") or not _wanted(config):
        return None
    return Template(config)


def clone_for_worker(config):
    """In a worker of a run whose controller builds a template: wait for it, copy it to this worker's test
    database (its settings already carry the worker's suffix) and return that name; else None."""
    template, state = os.environ.get(TEMPLATE_VAR), os.environ.get(STATE_VAR)
    if not (template and state and hasattr(config, "workerinput")):
        return None
    database = _default_database()
    name = database.get("TEST", {}).get("NAME") or f"test_{database['NAME']}"
    with open(Path(state) / "lock") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # until the template is ready, then one copy at a time
        done = Path(state) / "result"
        result = done.read_text() if done.exists() else "the controller stopped before it was made"
        if result != "ok":
            pytest.fail(f"The template test database could not be made: {result}", pytrace=False)
        with _nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {_quote(name)} WITH (FORCE)")
            cursor.execute(f"CREATE DATABASE {_quote(name)} TEMPLATE {_quote(template)}")
    return name


def drop(name):
    from django.db import connections

    connections.close_all()
    with _nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {_quote(name)} WITH (FORCE)")
