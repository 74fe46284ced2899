"""Run the web server, a Celery worker and Celery beat together in the foreground; Ctrl-C stops all three."""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand


def web_command(address):
    """gunicorn as in docker compose: 2 workers x 4 threads (SQLite waits for its write lock, settings.py),
    a short graceful stop so Ctrl-C ends everything quickly."""
    return [sys.executable, "-m", "gunicorn", "itsm.wsgi", "--bind", address, "--workers", "2",
            "--worker-class", "gthread", "--threads", "4", "--graceful-timeout", "5", "--timeout", "60",
            "--access-logfile", "-"]


class Command(BaseCommand):
    help = "Start web + Celery worker + Celery beat (development and `make run`)."

    def add_arguments(self, parser):
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))

    def handle(self, *args, **options):
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        broker_dir = settings.VAR_DIR / "broker"
        (broker_dir / "processed").mkdir(parents=True, exist_ok=True)
        py = sys.executable
        address = f"{options['host']}:{options['port']}"
        commands = {
            "web": web_command(address),
            "worker": [py, "-m", "celery", "-A", "itsm", "worker", "--loglevel=INFO", "--concurrency=2",
                       "--pool=threads" if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
                       else "--pool=prefork"],
            "beat": [py, "-m", "celery", "-A", "itsm", "beat", "--loglevel=INFO"],
        }
        procs = {name: subprocess.Popen(cmd) for name, cmd in commands.items()}
        url = f"http://{address}/"
        self.stdout.write(self.style.SUCCESS(f"\nITSM is starting at {url}"))
        if settings.DEMO_DATA:
            password = os.environ.get("DEMO_PASSWORD", "demo")
            self.stdout.write(f"Demo logins: admin, manager, agent, requester (password: {password})")
        self.stdout.write("Press Ctrl-C to stop web, worker and beat.\n")

        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping:
                for name, proc in procs.items():
                    if proc.poll() is not None:
                        self.stderr.write(f"{name} exited with {proc.returncode}; stopping the rest")
                        stopping = True
                time.sleep(0.5)
        finally:
            for proc in procs.values():
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
            deadline = time.time() + 10
            for proc in procs.values():
                try:
                    proc.wait(timeout=max(0.1, deadline - time.time()))
                except subprocess.TimeoutExpired:
                    proc.kill()
