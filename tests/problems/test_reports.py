"""Problem reports on a controlled dataset: ages, incidents per known error, resolved by workaround, recurrence."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core import services as core_services
from core.models import Ticket
from problems import reports, services as problem_services
from problems import workaround_services as ws
from tests.support import factories
from tests.support.cmdb_factories import CIFactory
from tests.support.queries import max_queries

from .known_error_support import fix, known_error

pytestmark = pytest.mark.django_db


def backdate(ticket, days):
    Ticket.objects.filter(pk=ticket.pk).update(created_at=timezone.now() - timedelta(days=days))  # test data only


def period(days=30):
    today = timezone.localdate()
    return reports.Period.of_dates(today - timedelta(days=days - 1), today)


def resolve(incident):
    return core_services.transition_ticket(incident, None, "resolved", {"resolution_code": "solved_workaround",
                                                                        "resolution_notes": "ok"})


def test_open_problems_by_age_band_and_service():
    agent = factories.agent()
    mail, web = factories.ServiceFactory(name="Mail"), factories.ServiceFactory(name="Web")
    for days, service in ((0, mail), (7, mail), (8, mail), (30, web), (31, web), (90, web), (91, None), (400, mail)):
        backdate(problem_services.create_problem(agent, {"title": "p", "service": service}), days)
    fix(known_error(agent, service=mail))  # closed: not open
    cancelled = problem_services.create_problem(agent, {"title": "c", "service": mail})
    core_services.transition_ticket(cancelled, None, "cancelled", {"cancel_reason": "no"})
    with max_queries(2):
        ages = reports.open_by_age_and_service()
    assert ages["bands"] == ["0-7", "8-30", "31-90", ">90"]
    rows = {row["service"]: row["counts"] for row in ages["rows"]}
    assert rows == {"Mail": [2, 1, 0, 1], "Web": [0, 1, 2, 0], "": [0, 0, 0, 1]}
    assert ages["totals"] == [2, 2, 2, 2] and ages["total"] == 8


def test_incidents_per_known_error_and_resolved_by_workaround():
    agent = factories.agent()
    printer, vpn = known_error(agent, title="Printer"), known_error(agent, title="VPN")
    plain = problem_services.create_problem(agent, {"title": "Not a known error"})
    incidents = [factories.incident(agent) for _ in range(6)]
    for incident in incidents[:3]:
        ws.apply_workaround(incident, printer, agent)
    ws.apply_workaround(incidents[3], vpn, agent)
    problem_services.link_incident(plain, agent, incidents[4])
    problem_services.link_incident(printer, agent, incidents[5])
    backdate(incidents[5], 60)  # raised before the period
    resolve(incidents[0])
    resolve(incidents[1])
    core_services.transition_ticket(incidents[1], None, "closed")
    core_services.transition_ticket(incidents[2], None, "cancelled", {"cancel_reason": "dup"})  # not resolved
    resolve(incidents[3])
    core_services.transition_ticket(incidents[3], None, "in_progress")  # reopened: no longer resolved
    rows = reports.incidents_per_known_error(period())
    assert [(row["number"], row["incidents"]) for row in rows] == [(printer.number, 3), (vpn.number, 1)]
    by_workaround = reports.resolved_by_workaround(period())
    assert by_workaround["total"] == 2
    assert [(row["problem_id"], row["incidents"]) for row in by_workaround["rows"]] == [(printer.pk, 2)]


def test_workaround_applied_after_resolution_does_not_count():
    agent = factories.agent()
    problem = known_error(agent)
    incident = factories.incident(agent)
    resolve(incident)
    ws.apply_workaround(incident, problem, agent)
    assert reports.resolved_by_workaround(period())["total"] == 0


def test_recurrence_after_a_fix():
    agent = factories.agent()
    ci, other_ci = CIFactory(), CIFactory()
    problem = known_error(agent, title="Disk full on db01", configuration_item=ci)
    before = factories.incident(agent, title="Disk full on db01", configuration_item=ci)
    problem_services.link_incident(problem, agent, before)
    problem = fix(problem)
    same = factories.incident(agent, title="db01 disk full again", configuration_item=ci)
    linked = factories.incident(agent, title="Something else entirely")
    problem_services.link_incident(problem, agent, linked)
    factories.incident(agent, title="Printer jam", configuration_item=ci)  # same CI, other text
    factories.incident(agent, title="Disk full on db01", configuration_item=other_ci)  # text alone, other CI
    cancelled = factories.incident(agent, title="Disk full on db01", configuration_item=ci)
    core_services.transition_ticket(cancelled, None, "cancelled", {"cancel_reason": "dup"})
    fix(known_error(agent, title="Unrelated", configuration_item=other_ci), code="risk_accepted")
    with max_queries(4):
        found = reports.recurrence_after_fix(period())
    assert len(found) == 1 and found[0]["problem"].pk == problem.pk
    assert {i.pk for i in found[0]["incidents"]} == {same.pk, linked.pk}
    assert (found[0]["linked"], found[0]["matching"]) == (1, 1)


def test_the_page_for_staff_and_not_requesters(client):
    manager, requester = factories.manager(), factories.requester()
    problem = known_error(factories.agent(), title="Printer")
    ws.apply_workaround(factories.incident(manager), problem, manager)
    client.force_login(manager)
    page = client.get(reverse("problem_reports:index"))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="open-by-age"' in body and problem.number in body and "Problem reports" in body
    assert client.get(reverse("problem_reports:index"), {"start": "2026-02-01", "end": "2025-01-01"}).status_code == 400
    assert client.get(reverse("problem_reports:index"), {"start": "nonsense"}).status_code == 400
    client.force_login(requester)
    assert client.get(reverse("problem_reports:index")).status_code == 403
