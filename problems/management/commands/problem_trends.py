import time

from django.core.management.base import BaseCommand

from problems import candidate_services


class Command(BaseCommand):
    help = "Run trend analysis now: find clusters of similar incidents and record them as problem candidates."

    def handle(self, *args, **options):
        started = time.perf_counter()
        summary = candidate_services.run_analysis()
        summary["seconds"] = round(time.perf_counter() - started, 2)
        self.stdout.write(" ".join(f"{key}={value}" for key, value in summary.items()))
