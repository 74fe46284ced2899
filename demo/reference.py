"""The demo's reference data: organizations, users, teams, categories, services, CIs and the agreement.

Everything is get-or-create, so running the seeder twice adds nothing. Writes go through the services.
"""

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from cmdb import services as cmdb_services
from cmdb.models import ConfigurationItem, Relationship
from core import permissions
from core.models import Organization, Profile, Team
from incidents.models import Category
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
    # colleagues who report incidents in the history (same demo password)
    "j.fischer": ("Jonas", "Fischer", permissions.REQUESTER, 0),
    "l.moreau": ("Lea", "Moreau", permissions.REQUESTER, 0),
    "k.osei": ("Kofi", "Osei", permissions.REQUESTER, 0),
    "m.rossi": ("Marta", "Rossi", permissions.REQUESTER, 1),
    "t.berg": ("Tove", "Berg", permissions.REQUESTER, 1),
    "a.haddad": ("Amir", "Haddad", permissions.REQUESTER, 2),
    "e.walsh": ("Eileen", "Walsh", permissions.REQUESTER, 2),
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
AVAILABILITY_TARGET = "99.5"


def organizations():
    result = []
    for name, description, org_wide in ORGANIZATIONS:
        org, _ = Organization.objects.get_or_create(
            name=name, defaults={"description": description, "requesters_see_organization_tickets": org_wide})
        result.append(org)
    return result


def users(organizations, password):
    users = {}
    hashed = None  # hashing is slow on purpose: every demo user shares one hash of the demo password
    for username, (first, last, role, org_index) in USERS.items():
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, first_name=first, last_name=last,
                        email=f"{username}@example.com",
                        is_staff=role == permissions.ADMIN, is_superuser=role == permissions.ADMIN)
            hashed = hashed or make_password(password)
            user.password = hashed
            user.save()
        user.groups.add(Group.objects.get(name=role))
        organization = organizations[org_index] if org_index is not None else None
        Profile.objects.get_or_create(user=user, defaults={"organization": organization,
                                                           "timezone": "Europe/London"})
        users[username] = user
    return users


def teams(users):
    teams = {}
    for name, (description, manager, members) in TEAMS.items():
        team, _ = Team.objects.get_or_create(name=name, defaults={"description": description,
                                                                  "manager": users[manager]})
        team.members.add(*(users[m] for m in members))
        teams[name] = team
    return teams


def categories():
    categories = {}
    for parent_name, children in CATEGORIES.items():
        parent, _ = Category.objects.get_or_create(name=parent_name, parent=None)
        categories[parent_name] = parent
        for child_name in children:
            categories[(parent_name, child_name)], _ = Category.objects.get_or_create(
                name=child_name, parent=parent)
    return categories


def services(users, teams, organizations):
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


def configuration_items(actor, services, organizations, teams):
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


PROBLEM_RESOLUTION_DAYS = {1: 10, 2: 20, 3: 45}


def agreement(organization, services, history_days=0):
    """One agreed SLA with a response and a resolution target per priority (24x7) and an availability target,
    valid since before the history starts, so incidents get timers."""
    if Agreement.objects.filter(name=AGREEMENT_NAME).exists():
        return
    agreement = slm_services.save_agreement(None, {
        "kind": Agreement.Kind.SLA, "name": AGREEMENT_NAME, "organization": organization,
        "valid_from": datetime.date.today() - datetime.timedelta(days=max(365, history_days + 31)),
        "availability_target": AVAILABILITY_TARGET,
        "provider_responsibilities": "Service desk staffed around the clock."}, services=services)
    for priority, (response_hours, resolution_hours) in SERVICE_LEVELS.items():
        for metric, hours in ((ServiceLevelTarget.Metric.RESPONSE, response_hours),
                              (ServiceLevelTarget.Metric.RESOLUTION, resolution_hours)):
            slm_services.save_target(None, {
                "agreement": agreement, "name": f"P{priority} {metric.label.lower()}", "metric": metric,
                "priority": priority, "target_seconds": int(hours * 3600)})
    for priority, days in PROBLEM_RESOLUTION_DAYS.items():
        slm_services.save_target(None, {
            "agreement": agreement, "name": f"Problem P{priority} resolution", "ticket_kind": "problem",
            "metric": ServiceLevelTarget.Metric.RESOLUTION, "priority": priority, "target_seconds": days * 86400})
    from demo import catalogue

    catalogue.request_targets(agreement, services)
    slm_services.save_agreement(agreement, {"status": Agreement.Status.AGREED})



CANNED_RESPONSES = [
    ("Acknowledge", None, "Hello {requester.first_name}, thank you for reporting this. {ticket.number} is with "
                          "us now and {agent.first_name} is looking into it."),
    ("Need more details", None, "Hello {requester.first_name}, to move {ticket.number} forward, could you tell us "
                                "when the problem started and whether colleagues are affected too?"),
    ("Network: checking the line", "Network", "Hello {requester.first_name}, the network team is checking the "
                                              "line for {ticket.number}; we will update you within the hour."),
]


def desk_configuration(users, teams):
    """Canned responses and an assignment rule (portal reports go to the Service Desk, round robin), written
    after the history so that they shape only new tickets."""
    from core import desk_services
    from core.desk_models import AssignmentRule, CannedResponse

    for title, team, body in CANNED_RESPONSES:
        if not CannedResponse.objects.filter(title=title).exists():
            desk_services.save_canned_response(users["manager"], {
                "title": title, "body": body, "team": teams[team] if team else None, "active": True})
    if not AssignmentRule.objects.filter(name="Portal reports to the Service Desk").exists():
        desk_services.save_assignment_rule(users["manager"], {
            "name": "Portal reports to the Service Desk", "order": 10, "active": True,
            "conditions": {"kind": ["incident"], "channel": ["portal"]}, "team": teams["Service Desk"],
            "assign": "round_robin"})
