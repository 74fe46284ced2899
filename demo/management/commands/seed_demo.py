"""Demo data for `make run`: organizations, teams, users, services, CIs and ~60 incidents in every state.

Incidents are created and moved through incidents.services, so they are numbered, audited and timed like
real ones. Idempotent: reference data is get-or-create; incidents are only seeded into an empty queue.
"""

import datetime
import os
import random

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cmdb import services as cmdb_services
from cmdb.models import ConfigurationItem, Relationship
from core import permissions
from core import services as core_services
from core.models import Channel, Organization, Profile, Team
from incidents import services as incident_services
from incidents import workflow as wf
from incidents.models import Category, Incident, OnHoldReason, ResolutionCode
from slm import services as slm_services
from slm.models import Agreement, Service, ServiceLevelTarget

User = get_user_model()

ORGANIZATIONS = [
    ("Acme Manufacturing", "Factory and head office, 1,200 staff.", True),
    ("Northwind Retail", "40 shops and a web store.", False),
    ("City Hospital", "Clinical and administrative staff.", False),
]

# username: (first, last, role, organization index or None)
USERS = {
    "admin": ("Ada", "Admin", permissions.ADMIN, None),
    "manager": ("Morgan", "Lee", permissions.MANAGER, None),
    "agent": ("Alex", "Chen", permissions.AGENT, None),
    "agent.network": ("Nora", "Patel", permissions.AGENT, None),
    "agent.apps": ("Sam", "Okafor", permissions.AGENT, None),
    "requester": ("Robin", "Meyer", permissions.REQUESTER, 0),
    "requester.northwind": ("Jamie", "Novak", permissions.REQUESTER, 1),
    "requester.hospital": ("Wei", "Zhang", permissions.REQUESTER, 2),
}

# team: (description, manager, members)
TEAMS = {
    "Service Desk": ("First line: every call and portal request lands here.", "manager",
                     ["agent", "agent.network", "agent.apps", "manager"]),
    "Network": ("LAN, Wi-Fi, VPN, firewalls and internet links.", "manager", ["agent.network", "agent"]),
    "Applications": ("E-mail, ERP, office suite and line-of-business applications.", "manager",
                     ["agent.apps", "agent"]),
}

CATEGORIES = {
    "Network": ["LAN", "Wi-Fi", "VPN", "Internet access"],
    "Hardware": ["Laptop", "Printer", "Monitor", "Phone"],
    "Software": ["E-mail", "ERP", "Office suite"],
    "Access": ["Password reset", "Permissions", "Account locked"],
}

SERVICES = [
    ("E-mail and calendar", "Mailboxes, shared calendars and mobile mail.", 2),
    ("Corporate network", "Office LAN, Wi-Fi, VPN and internet access.", 1),
    ("ERP", "Orders, stock, invoicing and payroll.", 1),
    ("End-user devices", "Laptops, desktops, printers and phones.", 3),
]

# name: (service index, organization index or None, CI class name)
CONFIGURATION_ITEMS = {
    "mail-exch-01": (0, None, "application"),
    "core-sw-hq-01": (1, 0, "network_device"),
    "vpn-gw-01": (1, None, "network_device"),
    "wifi-ctrl-01": (1, 0, "network_device"),
    "erp-app-01": (2, None, "application"),
    "erp-db-01": (2, None, "database"),
    "prn-hq-floor3": (3, 0, "network_device"),
    "prn-shop-12": (3, 1, "network_device"),
}

# (source, kind, target): impact flows from the target to the source
RELATIONSHIPS = [
    ("erp-app-01", "depends_on", "erp-db-01"),
    ("wifi-ctrl-01", "connected_to", "core-sw-hq-01"),
    ("vpn-gw-01", "connected_to", "core-sw-hq-01"),
    ("prn-hq-floor3", "connected_to", "core-sw-hq-01"),
]

AGREEMENT_NAME = "Standard IT support"
# priority: (response, resolution) in hours, around the clock
SERVICE_LEVELS = {1: (0.25, 4), 2: (0.5, 8), 3: (2, 24), 4: (8, 72), 5: (24, 120)}

# title, category, subcategory, service index, CI name or None, team, impact, urgency
SCENARIOS = [
    ("Cannot connect to VPN from home", "Network", "VPN", 1, "vpn-gw-01", "Network", 3, 2),
    ("Wi-Fi drops every few minutes in meeting room B", "Network", "Wi-Fi", 1, "wifi-ctrl-01", "Network", 3, 3),
    ("Outlook keeps asking for the password", "Software", "E-mail", 0, "mail-exch-01", "Applications", 3, 2),
    ("Shared calendar not updating on phones", "Software", "E-mail", 0, "mail-exch-01", "Applications", 3, 3),
    ("ERP order screen times out", "Software", "ERP", 2, "erp-app-01", "Applications", 2, 2),
    ("Invoice run failed overnight", "Software", "ERP", 2, "erp-db-01", "Applications", 2, 1),
    ("Printer on floor 3 prints blank pages", "Hardware", "Printer", 3, "prn-hq-floor3", "Service Desk", 3, 3),
    ("Receipt printer in shop 12 offline", "Hardware", "Printer", 3, "prn-shop-12", "Service Desk", 2, 2),
    ("Laptop will not boot after update", "Hardware", "Laptop", 3, None, "Service Desk", 3, 2),
    ("Second monitor not detected", "Hardware", "Monitor", 3, None, "Service Desk", 3, 3),
    ("Desk phone has no dial tone", "Hardware", "Phone", 3, None, "Service Desk", 3, 2),
    ("Account locked after holiday", "Access", "Account locked", None, None, "Service Desk", 3, 2),
    ("Need access to the finance share", "Access", "Permissions", None, None, "Service Desk", 3, 3),
    ("Password reset for a new starter", "Access", "Password reset", None, None, "Service Desk", 3, 3),
    ("Spreadsheet macros disabled", "Software", "Office suite", None, None, "Applications", 3, 3),
    ("Slow internet at the warehouse", "Network", "Internet access", 1, "core-sw-hq-01", "Network", 2, 3),
    ("Network port dead at desk 4.12", "Network", "LAN", 1, "core-sw-hq-01", "Network", 3, 3),
    ("ERP stock levels wrong after import", "Software", "ERP", 2, "erp-app-01", "Applications", 2, 2),
]

FIRST_REPLIES = [
    "Thanks for reporting this, we are looking into it now.",
    "Could you tell us when this started and whether colleagues see the same?",
    "We have picked this up and will update you within the hour.",
]
WORK_NOTES = [
    "Checked the event log: nothing obvious, escalating to the owning team.",
    "Reproduced on a test machine. Known issue in the last update.",
    "Vendor ticket opened, reference VND-{n}.",
    "Remote session done; collected logs attached to the vendor case.",
]
RESOLUTIONS = [
    (ResolutionCode.SOLVED_PERMANENTLY, "Replaced the faulty part and tested with the caller."),
    (ResolutionCode.SOLVED_WORKAROUND, "Cleared the cached credentials; permanent fix tracked as a problem."),
    (ResolutionCode.RESOLVED_BY_CALLER, "Caller restarted the device and it works again."),
    (ResolutionCode.NOT_REPRODUCIBLE, "Could not reproduce after several tests; caller will call back."),
    (ResolutionCode.RESOLVED_BY_CHANGE, "Fixed by the configuration change deployed last night."),
]
HOLD_REASONS = [
    (OnHoldReason.AWAITING_CALLER, "Waiting for the caller to be back at their desk."),
    (OnHoldReason.AWAITING_VENDOR, "Waiting for the vendor to ship a replacement."),
    (OnHoldReason.AWAITING_CHANGE, "Waiting for the change window on Saturday."),
]

# final state -> how many incidents end there (plus the major incident and its two children)
STATE_PLAN = [(wf.NEW, 11), (wf.IN_PROGRESS, 13), (wf.ON_HOLD, 9), (wf.RESOLVED, 10), (wf.CLOSED, 9),
              (wf.CANCELLED, 5)]


class Command(BaseCommand):
    help = "Load demo organizations, teams, users, services, CIs and incidents (DEMO_DATA only; idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true",
                            help="Do nothing when the database already holds incidents.")

    def handle(self, *args, **options):
        if not settings.DEMO_DATA:
            raise CommandError("seed_demo creates users with a known password and runs only when DEMO_DATA is on "
                               "(set DEMO_DATA=1). Refusing on a production configuration.")
        if options["if_empty"] and Incident.objects.exists():
            self.stdout.write("Incidents already exist; demo data not loaded (--if-empty).")
            return
        password = os.environ.get("DEMO_PASSWORD", "demo")
        with transaction.atomic():
            organizations = self._organizations()
            users = self._users(organizations, password)
            teams = self._teams(users)
            categories = self._categories()
            services = self._services(users, teams, organizations)
            cis = self._configuration_items(users["admin"], services, organizations, teams)
            self._agreement(organizations[0], services)
        if Incident.objects.exists():
            self.stdout.write("Reference data is in place; incidents already exist, none added.")
            return
        with transaction.atomic():
            count = self._incidents(users, teams, categories, services, cis, organizations)
        self.stdout.write(self.style.SUCCESS(
            f"Demo data loaded: {count} incidents. Log in as admin, manager, agent or requester "
            f"(password: {password})."))

    # --- reference data ----------------------------------------------------------------------

    def _organizations(self):
        result = []
        for name, description, org_wide in ORGANIZATIONS:
            org, _ = Organization.objects.get_or_create(
                name=name, defaults={"description": description, "requesters_see_organization_tickets": org_wide})
            result.append(org)
        return result

    def _users(self, organizations, password):
        users = {}
        for username, (first, last, role, org_index) in USERS.items():
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username, first_name=first, last_name=last,
                            email=f"{username}@example.com",
                            is_staff=role == permissions.ADMIN, is_superuser=role == permissions.ADMIN)
                user.set_password(password)
                user.save()
            user.groups.add(Group.objects.get(name=role))
            organization = organizations[org_index] if org_index is not None else None
            Profile.objects.get_or_create(user=user, defaults={"organization": organization,
                                                               "timezone": "Europe/London"})
            users[username] = user
        return users

    def _teams(self, users):
        teams = {}
        for name, (description, manager, members) in TEAMS.items():
            team, _ = Team.objects.get_or_create(name=name, defaults={"description": description,
                                                                      "manager": users[manager]})
            team.members.add(*(users[m] for m in members))
            teams[name] = team
        return teams

    def _categories(self):
        categories = {}
        for parent_name, children in CATEGORIES.items():
            parent, _ = Category.objects.get_or_create(name=parent_name, parent=None)
            categories[parent_name] = parent
            for child_name in children:
                categories[(parent_name, child_name)], _ = Category.objects.get_or_create(
                    name=child_name, parent=parent)
        return categories

    def _services(self, users, teams, organizations):
        services = []
        for name, description, criticality in SERVICES:
            service = Service.objects.filter(name=name).first()
            if service is None:
                service = slm_services.save_service(None, {
                    "name": name, "description": description, "criticality": criticality,
                    "owner": users["manager"]},
                    m2m={"supporting_teams": [teams["Service Desk"]], "customers": organizations})
            services.append(service)
        return services

    def _configuration_items(self, actor, services, organizations, teams):
        ci_classes = {c.name: c for c in ConfigurationItem._meta.get_field("ci_class").related_model.objects.all()}
        owner_team = {"network_device": teams["Network"], "application": teams["Applications"],
                      "database": teams["Applications"]}
        cis = {}
        for name, (service_index, org_index, class_name) in CONFIGURATION_ITEMS.items():
            ci = ConfigurationItem.objects.filter(name=name).first()
            if ci is None:
                ci = cmdb_services.create_ci(actor, {
                    "name": name, "ci_class": ci_classes[class_name], "service": services[service_index],
                    "organization": organizations[org_index] if org_index is not None else None,
                    "owner_team": owner_team.get(class_name), "location": "Head office data room"})
            cis[name] = ci
        for source, kind, target in RELATIONSHIPS:
            if not Relationship.objects.filter(source=cis[source], target=cis[target], kind=kind).exists():
                cmdb_services.add_relationship(actor, cis[source], cis[target], kind)
        return cis

    def _agreement(self, organization, services):
        """One agreed SLA with a response and a resolution target per priority (24x7), so incidents get timers."""
        if Agreement.objects.filter(name=AGREEMENT_NAME).exists():
            return
        agreement = slm_services.save_agreement(None, {
            "kind": Agreement.Kind.SLA, "name": AGREEMENT_NAME, "organization": organization,
            "valid_from": datetime.date.today() - datetime.timedelta(days=365),
            "provider_responsibilities": "Service desk staffed around the clock."}, services=services)
        for priority, (response_hours, resolution_hours) in SERVICE_LEVELS.items():
            for metric, hours in ((ServiceLevelTarget.Metric.RESPONSE, response_hours),
                                  (ServiceLevelTarget.Metric.RESOLUTION, resolution_hours)):
                slm_services.save_target(None, {
                    "agreement": agreement, "name": f"P{priority} {metric.label.lower()}", "metric": metric,
                    "priority": priority, "target_seconds": int(hours * 3600)})
        slm_services.save_agreement(agreement, {"status": Agreement.Status.AGREED})

    # --- incidents ---------------------------------------------------------------------------

    def _incidents(self, users, teams, categories, services, cis, organizations):
        rng = random.Random(2026)
        requesters = [users["requester"], users["requester.northwind"], users["requester.hospital"]]
        agents_by_team = {name: [users[m] for m in members if m != "manager"]
                          for name, (_, _, members) in TEAMS.items()}
        count = 0
        n = 0
        for final_state, how_many in STATE_PLAN:
            for _ in range(how_many):
                scenario = SCENARIOS[n % len(SCENARIOS)]
                n += 1
                incident = self._new_incident(rng, scenario, requesters, users, teams, categories, services, cis)
                self._move_to(rng, incident, final_state, users, teams, agents_by_team)
                count += 1
        return count + self._major_incident(users, teams, categories, services, cis)

    def _new_incident(self, rng, scenario, requesters, users, teams, categories, services, cis):
        title, category, subcategory, service_index, ci_name, team, impact, urgency = scenario
        requester = rng.choice(requesters)
        via_portal = rng.random() < 0.5
        actor = requester if via_portal else users["agent"]
        data = {
            "title": title,
            "description": f"{title}. Reported by {requester.get_full_name()}.",
            "impact": impact, "urgency": urgency,
            "category": categories[category], "subcategory": categories[(category, subcategory)],
            "channel": Channel.PORTAL if via_portal else rng.choice([Channel.PHONE, Channel.EMAIL]),
            "requester": requester,
        }
        if service_index is not None:
            data["service"] = services[service_index]
        ci = cis[ci_name] if ci_name else None
        # In the portal a requester can name only configuration items of their own organization (or of none).
        if ci is not None and (not via_portal or ci.organization_id in (None, requester.profile.organization_id)):
            data["configuration_item"] = ci
        incident = incident_services.create_incident(actor, data)
        incident._seed_team = teams[team]
        return incident

    def _move_to(self, rng, incident, final_state, users, teams, agents_by_team):
        team = incident._seed_team
        agent = rng.choice(agents_by_team[team.name])
        requester = incident.requester
        if final_state == wf.NEW:
            if rng.random() < 0.5:
                core_services.assign(incident, users["agent"], team=team)
            return
        if final_state == wf.CANCELLED:
            core_services.add_comment(incident, requester, "Please ignore this, it was a mistake on my side.")
            incident_services.transition_incident(incident, users["agent"], wf.CANCELLED,
                                                  {"cancel_reason": "Cancelled at the caller's request."})
            return
        incident = core_services.assign(incident, users["agent"], team=team, assignee=agent)
        incident = incident_services.transition_incident(incident, agent, wf.IN_PROGRESS)
        core_services.add_comment(incident, agent, rng.choice(FIRST_REPLIES))
        core_services.add_comment(incident, agent, rng.choice(WORK_NOTES).format(n=rng.randint(1000, 9999)),
                                  internal=True)
        if final_state == wf.IN_PROGRESS:
            return
        if final_state == wf.ON_HOLD or rng.random() < 0.3:
            reason, note = rng.choice(HOLD_REASONS)
            incident = incident_services.transition_incident(incident, agent, wf.ON_HOLD,
                                                             {"on_hold_reason": reason}, comment=note)
            if final_state == wf.ON_HOLD:
                return
            core_services.add_comment(incident, requester, "I'm back, you can continue.")
            incident = incident_services.transition_incident(incident, agent, wf.IN_PROGRESS)
        code, notes = rng.choice(RESOLUTIONS)
        incident = incident_services.transition_incident(
            incident, agent, wf.RESOLVED, {"resolution_code": code, "resolution_notes": notes},
            comment="Resolved: " + notes)
        if final_state == wf.CLOSED:
            core_services.add_comment(incident, requester, "Confirmed, all good now. Thanks!")
            incident_services.transition_incident(incident, requester, wf.CLOSED)

    def _major_incident(self, users, teams, categories, services, cis):
        manager, agent = users["manager"], users["agent.network"]
        network = teams["Network"]
        common = {"category": categories["Network"], "subcategory": categories[("Network", "LAN")],
                  "service": services[1], "channel": Channel.MONITORING}
        parent = incident_services.create_incident(manager, {
            **common, "title": "Head office network outage", "impact": 1, "urgency": 1,
            "description": "Core switch at head office down; all floors without network.",
            "configuration_item": cis["core-sw-hq-01"], "is_major": True, "major_incident_manager": manager,
            "team": network, "assignee": agent})
        parent = incident_services.transition_incident(parent, agent, wf.IN_PROGRESS)
        core_services.add_comment(parent, manager, "Major incident declared. Bridge call every 30 minutes.",
                                  internal=True)
        core_services.add_comment(parent, agent, "We are aware of the outage and working on it. Next update "
                                                 "in 30 minutes.")
        for requester, title in ((users["requester"], "No network on floor 2"),
                                 (users["requester.northwind"], "Cannot reach the ERP from head office")):
            child = incident_services.create_incident(requester, {
                **common, "channel": Channel.PORTAL, "title": title, "impact": 3, "urgency": 2,
                "description": title + ".", "requester": requester, "parent": parent})
            core_services.add_comment(child, agent, f"Linked to major incident {parent.number}.", internal=True)
        return 3
