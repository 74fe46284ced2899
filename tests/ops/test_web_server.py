"""`make run` serves through gunicorn with DEBUG off by default: 50 concurrent requests, none dropped."""

import json
import os
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from core.management.commands.runstack import web_command
from tests.support.ports import reserved_port

ROOT = Path(__file__).resolve().parents[2]


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=20) as response:
            return response.status
    except Exception as exc:  # noqa: BLE001 - a dropped request is what we count
        return repr(exc)


def test_defaults_are_production_safe():
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DEMO_DATA", "ALLOWED_HOSTS")}
    code = ("import json, django; from django.conf import settings as s; django.setup();"
            "print(json.dumps([s.DEBUG, s.DEMO_DATA, s.ALLOWED_HOSTS, s.SESSION_COOKIE_SECURE]))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE": "itsm.settings"},
                         capture_output=True, text=True, timeout=60, check=True).stdout
    debug, demo_data, hosts, secure_cookies = json.loads(out.strip().splitlines()[-1])
    assert (debug, demo_data, secure_cookies) == (False, False, True)
    assert {"127.0.0.1", "localhost"} <= set(hosts) and "*" not in hosts


@pytest.fixture
def port():
    """A loopback port kept ours (tests/support/ports.py) from before migrate until gunicorn has stopped."""
    with reserved_port() as reserved:
        yield reserved


def test_gunicorn_answers_50_concurrent_requests(tmp_path, port):
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(ITSM_VAR_DIR=str(tmp_path), CELERY_BROKER_URL="memory://")
    for command in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"]):  # as `make run`
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, timeout=300)
    server = subprocess.Popen(web_command(f"127.0.0.1:{port}"), cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.time() + 60
        while fetch(f"{base}/healthz") != 200:
            assert server.poll() is None, server.stderr.read().decode()[-2000:]
            assert time.time() < deadline, "gunicorn did not start within 60 s"
            time.sleep(0.3)
        urls = [f"{base}/healthz", f"{base}/login/"] * 25
        with ThreadPoolExecutor(max_workers=50) as pool:
            statuses = list(pool.map(fetch, urls))
        assert statuses == [200] * 50, statuses
        assert fetch(f"{base}/static/vendor/htmx.min.js") == 200  # WhiteNoise, DEBUG off
        assert fetch(f"{base}/media/anything") != 200
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            pytest.fail("gunicorn did not stop within 20 s of SIGTERM")
