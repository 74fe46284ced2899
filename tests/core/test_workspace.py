"""The agent workspace across ticket kinds: My work, triage, SLA badges, bulk actions, totals, saved views."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from core import bulk, counting, queries, ui
from core.models import Channel, SavedFilter, Ticket
from core.sla_badge import badge_html, format_duration
from incidents import services as incident_services
from incidents import workflow
from incidents.models import Incident
from slm.models import SLATimer
from tests.slm.clock import START, clock  # noqa: F401  (fixture)
from tests.support import factories
from tests.support.queries import count_queries, max_queries
from tests.support.slm_factories import TargetFactory

pytestmark = pytest.mark.django_db
RESOLVE = {"resolution_code": "solved_permanently", "resolution_notes": "Fixed"}


@pytest.fixture
def agent():
    return factories.agent(username="worker")


@pytest.fixture
def team(agent):
    return factories.TeamFactory(name="Service Desk", members=[agent])


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def closed(incident, actor):
    incident = incident_services.transition_incident(incident, actor, workflow.RESOLVED, RESOLVE)
    return incident_services.transition_incident(incident, actor, workflow.CLOSED)


# --- SLA badge -------------------------------------------------------------------------------------

def test_duration_text():
    assert format_duration(2 * 3600 + 10 * 60) == "2 h 10 min"
    assert format_duration(3 * 3600) == "3 h"
    assert format_duration(59) == "1 min"
    assert format_duration(26 * 3600) == "1 d 2 h"


def test_sla_badge_text_and_colour_follow_the_clock(clock, agent):
    TargetFactory(calendar=None, target_seconds=4 * 3600)
    incident = factories.incident(agent, title="Timed")

    def badge():
        row = Ticket.objects.get(pk=incident.pk)
        return str(ui.rows_html([_row(row)], ui.ticket_columns("sla_due"), ""))

    assert Ticket.objects.get(pk=incident.pk).sla_due_at == START + dt.timedelta(hours=4)
    clock.advance(hours=1, minutes=50)
    assert 'class="sla sla-ok"' in badge() and "2 h 10 min left" in badge()
    clock.advance(hours=1, minutes=40)  # 30 min left: amber even before the sweep warns
    assert 'class="sla sla-warning"' in badge() and "30 min left" in badge()
    clock.now = START + dt.timedelta(hours=1)
    SLATimer.objects.filter(ticket=incident).update(warned_percent=50)  # the sweep's 50 % warning
    assert 'class="sla sla-warning"' in badge() and "3 h left" in badge()
    clock.advance(hours=6)
    assert 'class="sla sla-breached"' in badge() and "overdue 3 h" in badge()
    incident_services.transition_incident(Incident.objects.get(pk=incident.pk), agent, workflow.ON_HOLD,
                                          {"on_hold_reason": "awaiting_vendor"})
    assert 'sla-paused">paused<' in badge()


def _row(ticket):
    ticket.url, ticket.state_text = ui.ticket_url(ticket), str(ui.state_label(ticket))
    return ticket


def test_badge_without_timer_is_a_dash():
    row = SimpleNamespace(kind="incident", state="new", sla_due_at=None)
    assert "—" in badge_html(row)


def test_warning_levels_are_one_query_per_page(clock, agent):
    TargetFactory(calendar=None, target_seconds=4 * 3600)
    rows = [_row(Ticket.objects.get(pk=factories.incident(agent, title=f"T{i}").pk)) for i in range(5)]
    with max_queries(1):
        ui.rows_html(rows, ui.ticket_columns("number", "sla_due"), "")


# --- My work ---------------------------------------------------------------------------------------

def test_my_work_sections_show_sla_badges(agent, team):
    TargetFactory(calendar=None, target_seconds=3600)
    mine = factories.incident(agent, title="Mine", team=team, assignee=agent)
    waiting = factories.incident(agent, title="Nobody has it", team=team)
    other = factories.incident(agent, title="Other team", team=factories.TeamFactory(name="Network"))
    done = closed(factories.incident(agent, title="Done", team=team, assignee=agent), agent)
    response = logged_in(agent).get(reverse("home"))
    sections = {key: [r.number for r in rows] for _t, key, rows, _q, _h in response.context["sections"]}
    assert sections["assigned"] == [mine.number]
    assert sections["unassigned"] == [waiting.number]
    html = response.content.decode()
    assert other.number not in html and done.number not in html
    assert "sla sla-warning" in html or "sla sla-ok" in html


def test_my_work_query_count_does_not_grow(agent, team):
    TargetFactory(calendar=None, target_seconds=3600)
    client = logged_in(agent)

    def make(n):
        for i in range(n):
            factories.incident(agent, title=f"W{i}", team=team, assignee=agent if i % 2 else None)

    make(2)
    few = count_queries(lambda: client.get(reverse("home")))
    make(12)
    assert count_queries(lambda: client.get(reverse("home"))) == few


# --- triage ----------------------------------------------------------------------------------------

def test_triage_lists_untriaged_work_of_every_kind(agent, team):
    requester = factories.requester(username="asker")
    portal = incident_services.create_incident(requester, {"title": "From the portal", "requester": requester,
                                                           "channel": Channel.PORTAL})
    p2 = factories.incident(agent, title="P2 without team", impact=1, urgency=2, assignee=agent)
    assert p2.priority == 2 and p2.team_id is None
    triaged = factories.incident(agent, title="Triaged", team=team, assignee=agent)
    finished = closed(factories.incident(agent, title="Finished"), agent)
    response = logged_in(agent).get(reverse("triage"))
    assert response.status_code == 200
    html = response.content.decode()
    assert portal.number in html and p2.number in html
    assert triaged.number not in html and finished.number not in html
    assert 'name="ids"' in html and 'id="bulk-form"' in html
    assert "2 tickets" in html


def test_triage_sorts_by_sla_due_then_priority_and_pages_by_keyset(agent):
    low, high, timed_late, timed_soon = (factories.incident(agent, title=t, impact=i, urgency=i)
                                         for t, i in (("low", 3), ("high", 1), ("late", 3), ("soon", 3)))
    base = dt.datetime(2026, 5, 1, tzinfo=dt.timezone.utc)
    Ticket.objects.filter(pk=timed_late.pk).update(sla_due_at=base + dt.timedelta(hours=5))
    Ticket.objects.filter(pk=timed_soon.pk).update(sla_due_at=base)
    expected = [timed_soon.number, timed_late.number, high.number, low.number]
    queryset = queries.triage(agent)
    first = ui.keyset_page(queryset, queries.TRIAGE_ORDERING, size=2)
    second = ui.keyset_page(queryset, queries.TRIAGE_ORDERING, after=first.next_cursor, size=2)
    assert [r.number for r in first.rows + second.rows] == expected
    back = ui.keyset_page(queryset, queries.TRIAGE_ORDERING, before=second.previous_cursor, size=2)
    assert [r.number for r in back.rows] == expected[:2]


def test_triage_query_count_is_constant(agent):
    TargetFactory(calendar=None, target_seconds=3600)
    client = logged_in(agent)
    factories.incident(agent, title="one")
    few = count_queries(lambda: client.get(reverse("triage")))
    for i in range(15):
        factories.incident(agent, title=f"more {i}")
    assert count_queries(lambda: client.get(reverse("triage"))) == few


def test_triage_is_for_agents(requester_user):
    response = logged_in(requester_user).get(reverse("triage"))
    assert response.status_code == 302


# --- bulk actions ----------------------------------------------------------------------------------

def test_bulk_assign_to_me_reports_done_and_refused(agent, team):
    a = factories.incident(agent, title="A")
    b = closed(factories.incident(agent, title="B"), agent)
    c = factories.incident(agent, title="C", team=factories.TeamFactory(name="Elsewhere"))
    result = bulk.bulk_apply(agent, [a.pk, b.pk, c.pk, 10**9], "assign", {"assignee": "me"})
    assert result["done"] == [a.number, c.number]
    assert [r["number"] for r in result["refused"]] == [b.number, f"#{10**9}"]
    assert "Closed" in result["refused"][0]["reason"]
    c.refresh_from_db()
    assert c.assignee == agent and c.team == team  # moved to the assignee's own team
    assert Incident.objects.get(pk=a.pk).assignee == agent


def test_bulk_transition_refuses_by_workflow_and_permission(agent, requester_user):
    open_one = factories.incident(agent, title="Open")
    done = closed(factories.incident(agent, title="Done"), agent)
    result = bulk.bulk_apply(agent, [open_one.pk, done.pk], "transition", {"to": "resolved", "fields": RESOLVE})
    assert result["done"] == [open_one.number]
    assert result["refused"] == [{"number": done.number,
                                  "reason": "A ticket cannot move from “Closed” to “Resolved”."}]
    assert Incident.objects.get(pk=open_one.pk).resolution_code == "solved_permanently"

    own = incident_services.create_incident(requester_user, {"title": "Mine", "requester": requester_user})
    foreign = factories.incident(agent, title="Not theirs")
    result = bulk.bulk_apply(requester_user, [own.pk, foreign.pk], "assign", {"assignee": str(agent.pk)})
    assert result["done"] == []
    assert result["refused"][0] == {"number": own.number, "reason": "You may not change this ticket."}
    assert result["refused"][1]["number"] == f"#{foreign.pk}"  # not visible: not even its number


def test_bulk_transition_missing_field_and_note(agent):
    first, second = factories.incident(agent, title="1"), factories.incident(agent, title="2")
    result = bulk.bulk_apply(agent, [first.pk], "transition", {"to": "resolved", "fields": {}})
    assert result["refused"][0]["number"] == first.number and "required" in result["refused"][0]["reason"]
    result = bulk.bulk_apply(agent, [first.pk, second.pk], "note", {"body": "Checked both"})
    assert result == {"done": [first.number, second.number], "refused": []}
    assert Ticket.objects.get(pk=first.pk).comments.filter(is_internal=True, body="Checked both").exists()


def test_bulk_rejects_bad_input_before_touching_anything(agent):
    from django.core.exceptions import ValidationError

    incident = factories.incident(agent)
    for ids, action, data in (([], "note", {"body": "x"}), ([incident.pk], "explode", {}),
                              ([incident.pk], "assign", {}), ([incident.pk], "assign", {"team": "999999"}),
                              (["abc"], "note", {"body": "x"}), ([incident.pk], "note", {"body": " "})):
        with pytest.raises(ValidationError):
            bulk.bulk_apply(agent, ids, action, data)


def test_bulk_view_redirects_back_naming_done_and_refused(agent, team):
    a = factories.incident(agent, title="A")
    b = closed(factories.incident(agent, title="B"), agent)
    client = logged_in(agent)
    with max_queries(60):
        response = client.post(reverse("ticket_bulk"), {"ids": [a.pk, b.pk], "action": "assign", "assignee": "me",
                                                        "next": "/incidents/?open=true"}, follow=True)
    assert response.redirect_chain[0] == ("/incidents/?open=true", 302)
    html = response.content.decode()
    assert f"Done: {a.number}." in html
    assert f"Refused: {b.number} (It is Closed and can no longer be reassigned.)" in html
    response = client.post(reverse("ticket_bulk"), {"ids": [a.pk], "action": "note", "note": "hi",
                                                    "next": "https://evil.example/"})
    assert response.status_code == 302 and response.url == reverse("home")
    response = client.post(reverse("ticket_bulk"), {"action": "note", "note": "hi"})
    assert response.status_code == 400 and "Select at least one ticket." in response.content.decode()


def test_bulk_view_transition_with_required_fields(agent):
    incident = factories.incident(agent)
    logged_in(agent).post(reverse("ticket_bulk"), {"ids": [incident.pk], "action": "transition", "to": "resolved",
                                                   **RESOLVE})
    assert Incident.objects.get(pk=incident.pk).state == workflow.RESOLVED


def test_bulk_view_and_api_are_for_agents(requester_user, api_as):
    incident = factories.incident()
    response = logged_in(requester_user).post(reverse("ticket_bulk"), {"ids": [incident.pk], "action": "note",
                                                                        "note": "x"})
    assert response.status_code == 403
    response = api_as(requester_user).post("/api/v1/tickets/bulk/", {"ids": [incident.pk], "action": "note",
                                                                     "body": "x"}, format="json")
    assert response.status_code == 403


def test_bulk_api_returns_the_result(agent, api_as):
    a = factories.incident(agent, title="A")
    b = closed(factories.incident(agent, title="B"), agent)
    api = api_as(agent)
    with max_queries(60):
        response = api.post("/api/v1/tickets/bulk/", {"ids": [a.pk, b.pk], "action": "transition",
                                                      "to": "in_progress"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["done"] == [a.number]
    assert body["refused"] == [{"number": b.number, "reason": "A ticket cannot move from “Closed” to “In Progress”."}]
    bad = api.post("/api/v1/tickets/bulk/", {"ids": [a.pk], "action": "assign"}, format="json")
    assert bad.status_code == 400 and "assignee" in bad.json()
    assert api.post("/api/v1/tickets/bulk/", {"ids": [], "action": "note"}, format="json").status_code == 400


# --- queue total -----------------------------------------------------------------------------------

def test_count_is_exact_below_the_threshold_and_capped_above(agent):
    for i in range(3):
        factories.incident(agent, title=f"c{i}")
    queryset = Incident.objects.all()
    if connection.vendor != "postgresql":
        assert counting.count_or_estimate(queryset, threshold=2) == counting.RowCount(2, capped=True)
        assert str(counting.count_or_estimate(queryset, threshold=2)) == "more than 2"
    assert counting.count_or_estimate(queryset, threshold=10_000) == counting.RowCount(3)
    assert counting.count_label(counting.RowCount(3), Incident) == "3 incidents"
    assert counting.count_label(counting.RowCount(1), Incident) == "1 incident"
    assert counting.RowCount(1_234_567, approximate=True).display == "about 1,200,000"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner estimate needs PostgreSQL")
def test_count_uses_the_planner_estimate_on_postgresql(agent):
    factories.incident(agent)
    total = counting.count_or_estimate(Incident.objects.filter(state="new"), threshold=1)
    assert total.approximate and total.value >= 1 and total.display.startswith("about")


def test_queue_header_shows_the_total(agent):
    for i in range(3):
        factories.incident(agent, title=f"q{i}")
    html = logged_in(agent).get(reverse("incidents:list")).content.decode()
    assert "3 incidents" in html and 'name="ids"' in html and 'id="bulk-form"' in html


# --- saved views -----------------------------------------------------------------------------------

def test_saved_view_shared_with_a_team(agent, team):
    colleague = factories.agent(username="colleague")
    team.members.add(colleague)
    outsider = factories.agent(username="outsider")
    client = logged_in(agent)
    response = client.post(reverse("saved_filter_save"), {
        "kind": "incident", "name": "Team P1 by SLA", "query": "priority=1&ordering=sla_due", "team": team.pk,
        "next": "/incidents/"})
    assert response.status_code == 302
    saved = SavedFilter.objects.get(name="Team P1 by SLA")
    assert saved.team == team and saved.user == agent
    html = logged_in(colleague).get(reverse("incidents:list")).content.decode()
    assert "Team P1 by SLA" in html and "?priority=1&amp;ordering=sla_due" in html
    assert "Team P1 by SLA" not in logged_in(outsider).get(reverse("incidents:list")).content.decode()
    assert logged_in(colleague).post(reverse("saved_filter_delete", args=[saved.pk])).status_code == 404
    client.post(reverse("saved_filter_delete", args=[saved.pk]))
    assert not SavedFilter.objects.exists()


def test_saved_view_bad_input_is_400(agent, team):
    foreign = factories.TeamFactory(name="Not mine")
    client = logged_in(agent)
    for data in ({"kind": "incident", "name": " "}, {"kind": "nonsense", "name": "x"},
                 {"kind": "incident", "name": "x", "team": foreign.pk}, {"kind": "incident", "name": "x",
                                                                          "team": "abc"}):
        assert client.post(reverse("saved_filter_save"), data).status_code == 400
    assert not SavedFilter.objects.exists()


def test_bulk_transition_goes_through_the_kinds_own_service(agent):
    """Resolving a major incident in bulk ends its outage, as resolving it on its page does."""
    major = factories.incident(agent, title="Major")
    major = incident_services.update_incident(major, agent, {"is_major": True,
                                                             "service": factories.ServiceFactory()})
    assert major.outage_start is not None and major.outage_end is None
    result = bulk.bulk_apply(agent, [major.pk], "transition", {"to": "resolved", "fields": RESOLVE})
    assert result["done"] == [major.number]
    assert Incident.objects.get(pk=major.pk).outage_end is not None
