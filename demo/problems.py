"""Problems the demo desk is working on, drawn from the incident history: a known error with a workaround, one
under investigation with tasks, one fixed and closed, and one opened from the last major incident."""

import datetime

from django.utils import timezone

from core import services as core_services
from incidents.models import Incident
from problems import services as problem_services
from problems.models import Origin, Problem, Technique

PROBLEMS = [
    {"scenario": "Outlook keeps asking for the password", "origin": Origin.RECURRING_INCIDENT, "team": "Applications",
     "state": "fix_in_progress", "technique": Technique.FIVE_WHYS,
     "why_1": "Outlook cannot refresh its sign-in token.",
     "why_2": "The cached credential is rejected by the mail server.",
     "why_3": "The last client update changed how tokens are stored.",
     "root_cause": "The March client update corrupts cached modern-authentication tokens on upgrade.",
     "workaround": "Open Credential Manager, remove every entry starting with 'MicrosoftOffice', restart "
                   "Outlook and sign in once.",
     "known_error": True, "review_in_days": 30,
     "tasks": [("Reproduce on a test laptop with the update", "Applications", True),
               ("Ask the vendor for a hotfix", "Applications", False)]},
    {"scenario": "Receipt printer in shop 12 offline", "origin": Origin.RECURRING_INCIDENT, "team": "Network",
     "state": "investigating", "technique": Technique.ISHIKAWA,
     "fishbone_technology": "Printer keeps a DHCP address; lease on the shop VLAN is one hour.",
     "fishbone_environment": "Shop router restarts at night after power saving.",
     "workaround": "Power-cycle the printer, then print a test page from the till.", "known_error": True,
     "review_in_days": -2, "tasks": [("Check the DHCP scope on the shop routers", "Network", False)]},
    {"scenario": "Cannot connect to VPN from home", "origin": Origin.SUPPLIER, "team": "Network", "state": "closed",
     "root_cause": "The VPN gateway's client certificate chain lacked the new intermediate certificate.",
     "workaround": "Reconnect using the backup gateway vpn2.", "known_error": True,
     "resolution_code": "fix_applied", "resolution_notes": "Intermediate certificate installed on vpn-gw-01."},
]


def _recent(scenario, limit=8):
    return list(Incident.objects.filter(title=scenario).exclude(state="cancelled").order_by("-id")[:limit])


def seed(users, teams):
    """Create the demo problems (once); returns how many were created."""
    if Problem.objects.exists():
        return 0
    agent = users["agent"]
    created = 0
    for spec in PROBLEMS:
        incidents = _recent(spec["scenario"])
        if not incidents:
            continue
        sample = incidents[0]
        team = teams[spec["team"]]
        data = {"title": spec["scenario"], "origin": spec["origin"], "incidents": incidents,
                "description": f"{len(incidents)} incidents report “{spec['scenario']}”.",
                "service": sample.service_id, "configuration_item": sample.configuration_item_id,
                "category": sample.category_id, "impact": 2, "urgency": 2, "team": team,
                "assignee": team.members.first()}
        for field in ("technique", "why_1", "why_2", "why_3", "fishbone_technology", "fishbone_environment",
                      "root_cause", "workaround", "known_error"):
            if field in spec:
                data[field] = spec[field]
        if "review_in_days" in spec:
            data["review_date"] = timezone.localdate() + datetime.timedelta(days=spec["review_in_days"])
        problem = problem_services.create_problem(agent, data)
        for title, team_name, done in spec.get("tasks", []):
            task = problem_services.add_task(problem, agent, {"title": title, "team": teams[team_name]})
            if done:
                problem_services.complete_task(task, agent, "Reproduced: the token cache is rewritten on upgrade.")
        _advance(problem, agent, spec)
        created += 1
    major = Incident.objects.filter(is_major=True).order_by("-id").first()
    if major is not None:
        problem_services.create_problem(agent, {
            "title": f"Find the root cause of {major.title.lower()}", "origin": Origin.MAJOR_INCIDENT,
            "description": f"Opened from the major incident {major.number}.", "impact": 1, "urgency": 2,
            "service": major.service_id, "configuration_item": major.configuration_item_id, "incidents": [major]})
        created += 1
    return created


def _advance(problem, actor, spec):
    path = {"investigating": ["investigating"], "fix_in_progress": ["investigating", "fix_in_progress"],
            "closed": ["investigating", "resolved", "closed"]}[spec["state"]]
    for state in path:
        data = {}
        if state == "resolved":
            data = {"resolution_code": spec["resolution_code"], "resolution_notes": spec["resolution_notes"]}
        problem = core_services.transition_ticket(problem, actor, state, data)
    return problem


def seed_knowledge(users, services, categories):
    """The knowledge base (English and Chinese articles), then the known errors published as articles."""
    from knowledge.demo import seed_articles
    from knowledge.services import publish_known_error

    by_name = {"E-mail": services[0], "Network": services[1], "Printing": services[3], "Accounts": services[3]}
    articles = seed_articles(users["manager"], services=by_name, categories=categories)
    for problem in Problem.objects.filter(known_error=True).exclude(state__in=["closed", "cancelled"]):
        articles.append(publish_known_error(problem, users["agent"]))
    return len(articles)
