"""Demo data for `make run`: organizations, teams, users, services, CIs, an agreement and about six months of
service desk history (demo.history), written through the services on a simulated clock, so incidents,
SLA timers, breaches, surveys, outages and reviews look as if the desk had been running all along.

Idempotent: reference data is get-or-create; the history is only written into an empty queue.
"""

import os
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core import permissions
from incidents.models import Incident
from problems import candidate_services

from demo import catalogue as demo_catalogue
from demo import changes as demo_changes
from demo import improvement as demo_improvement
from demo import mail as demo_mail
from demo import problems as demo_problems
from demo import reference
from demo.history import Cast, History

DEFAULT_DAYS = 180


def positive_days(value):
    days = int(value)
    if not 1 <= days <= 3650:
        raise ValueError(value)
    return days


class Command(BaseCommand):
    help = "Load demo organizations, teams, users, services, CIs and months of incident history (DEMO_DATA only)."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true",
                            help="Do nothing when the database already holds incidents.")
        parser.add_argument("--days", type=positive_days, default=DEFAULT_DAYS,
                            help=f"Days of history up to now (default {DEFAULT_DAYS}).")

    def handle(self, *args, **options):
        if not settings.DEMO_DATA:
            raise CommandError("seed_demo creates users with a known password and runs only when DEMO_DATA is on "
                               "(set DEMO_DATA=1). Refusing on a production configuration.")
        if options["if_empty"] and Incident.objects.exists():
            self.stdout.write("Incidents already exist; demo data not loaded (--if-empty).")
            return
        password = os.environ.get("DEMO_PASSWORD", "demo")
        days = options["days"]
        with transaction.atomic():
            organizations = reference.organizations()
            users = reference.users(organizations, password)
            teams = reference.teams(users)
            cast = Cast(
                users=users, teams=teams, categories=reference.categories(),
                services=reference.services(users, teams, organizations), cis={}, organizations=organizations,
                requesters=[users[name] for name, spec in reference.USERS.items() if spec[2] == permissions.REQUESTER],
                agents_by_team={name: [users[m] for m in members if m != "manager"]
                                for name, (_, _, members) in reference.TEAMS.items()})
            cast.cis = reference.configuration_items(users["admin"], cast.services, organizations, teams)
            reference.agreement(organizations[0], cast.services, days)
            demo_catalogue.managers(users)
            demo_catalogue.items(teams, users)
        if Incident.objects.exists():
            self.stdout.write("Reference data is in place; incidents already exist, none added.")
            return
        started = time.monotonic()
        stats = History(cast, days).run()
        reference.desk_configuration(cast.users, cast.teams)
        stats["problems"] = demo_problems.seed(cast.users, cast.teams)
        stats["knowledge articles"] = demo_problems.seed_knowledge(cast.users, cast.services, cast.categories)
        stats["problem candidates"] = candidate_services.run_analysis()["clusters"]
        stats["service requests"] = demo_catalogue.seed_requests(cast.users)
        demo_changes.reference(cast.users, cast.teams)
        stats["changes"] = demo_changes.seed(cast.users, cast.teams)
        stats["improvements"] = demo_improvement.seed(cast.users)
        stats["inbound e-mails"] = demo_mail.seed(cast.users)
        summary = ", ".join(f"{count} {name}" for name, count in stats.items())
        self.stdout.write(self.style.SUCCESS(
            f"Demo data loaded: {days} days of history in {time.monotonic() - started:.0f} s ({summary}). "
            f"Log in as admin, manager, agent or requester (password: {password})."))
