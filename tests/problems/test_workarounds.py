"""Applying and communicating workarounds, resolving a fixed problem's incidents; and the incident page."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core import services as core_services
from core.models import AuditEntry, Comment, LinkKind, Notification, TicketLink
from problems import workaround_services as ws
from problems.models import WorkaroundApplication
from tests.support import factories
from tests.support.pages import ticket_page, with_panels

from .known_error_support import fix, known_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent():
    return factories.agent()


def test_apply_leaves_a_work_note_a_link_and_audit_entries(agent):
    problem = known_error(agent)
    incident = factories.incident(agent)
    application, comment = ws.apply_workaround(incident, problem, agent)
    assert comment.is_internal and problem.number in comment.body and "Restart the print spooler" in comment.body
    assert TicketLink.objects.filter(source=incident, target=problem, kind=LinkKind.CAUSED_BY).exists()
    actions = set(AuditEntry.objects.filter(ticket_id=incident.pk).values_list("action", flat=True))
    assert {"work_note", "linked"} <= actions
    assert not application.public and application.applied_by == agent


def test_apply_as_public_reply_tells_the_requester(agent):
    requester = factories.requester()
    problem = known_error(agent)
    incident = factories.incident(agent, requester=requester)
    _application, comment = ws.apply_workaround(incident, problem, agent, public=True)
    assert not comment.is_internal
    assert Notification.objects.filter(recipient=requester, ticket_id=incident.pk).exists()


def test_apply_refusals(agent):
    problem = known_error(agent)
    incident = factories.incident(agent)
    ws.apply_workaround(incident, problem, agent)
    with pytest.raises(ValidationError, match="already applied"):
        ws.apply_workaround(incident, problem, agent)
    not_known = known_error(agent, known_error=False)
    with pytest.raises(ValidationError, match="not a known error"):
        ws.apply_workaround(incident, not_known, agent)
    with pytest.raises(ValidationError, match="no documented workaround"):
        ws.apply_workaround(incident, known_error(agent, workaround=""), agent)
    cancelled = factories.incident(agent)
    core_services.transition_ticket(cancelled, None, "cancelled", {"cancel_reason": "logged twice"})
    cancelled.refresh_from_db()
    with pytest.raises(ValidationError, match="closed"):
        ws.apply_workaround(cancelled, problem, agent)
    assert WorkaroundApplication.objects.count() == 1


def test_communicate_replies_once_to_open_linked_incidents_only(agent):
    problem = known_error(agent)
    open_one, noted, resolved, unlinked = (factories.incident(agent, requester=factories.requester())
                                           for _ in range(4))
    from problems import services as problem_services

    for incident in (open_one, noted, resolved):
        problem_services.link_incident(problem, agent, incident)
    ws.apply_workaround(noted, problem, agent)  # a work note before: the requester still needs the public reply
    core_services.transition_ticket(resolved, None, "resolved", {"resolution_code": "solved_workaround",
                                                                 "resolution_notes": "ok"})
    assert ws.communicate_workaround(problem, agent) == 2
    public = Comment.objects.filter(is_internal=False, body__contains=problem.number)
    assert sorted(public.values_list("ticket_id", flat=True)) == sorted([open_one.pk, noted.pk])
    assert set(WorkaroundApplication.objects.filter(problem=problem, public=True)
               .values_list("incident_id", flat=True)) == {open_one.pk, noted.pk}
    assert Notification.objects.filter(ticket_id=open_one.pk, recipient=open_one.requester).count() == 1
    assert ws.communicate_workaround(problem, agent) == 0  # a second click does not spam
    assert public.count() == 2
    assert not Comment.objects.filter(ticket_id=unlinked.pk).exists()


def test_resolve_linked_incidents_only_when_fixed_and_only_open_ones(agent):
    from problems import services as problem_services

    problem = known_error(agent)
    open_a, open_b, cancelled, other = (factories.incident(agent) for _ in range(4))
    for incident in (open_a, open_b, cancelled):
        problem_services.link_incident(problem, agent, incident)
    core_services.transition_ticket(cancelled, None, "cancelled", {"cancel_reason": "dup"})
    with pytest.raises(ValidationError):
        ws.resolve_linked_incidents(problem, agent)
    accepted = fix(known_error(agent), code="risk_accepted")
    with pytest.raises(ValidationError):
        ws.resolve_linked_incidents(accepted, agent)
    problem = fix(problem, close=False)
    assert ws.resolve_linked_incidents(problem, agent) == 2
    for incident in (open_a, open_b):
        incident.refresh_from_db()
        assert (incident.state, incident.resolution_code) == ("resolved", "solved_permanently")
        assert incident.resolution_notes == "Patched the spooler (KB 123)."
    for incident in (cancelled, other):
        incident.refresh_from_db()
        assert incident.state in ("cancelled", "new")
    assert ws.resolve_linked_incidents(problem, agent) == 0


# --- the incident page ---------------------------------------------------------------------------------------

def test_the_panel_suggests_and_the_button_applies(client, agent):
    problem = known_error(agent, title="Printer queue stalls")
    incident = factories.incident(agent, title="Printer queue stalls again")
    client.force_login(agent)
    page = ticket_page(client, reverse("incidents:detail", args=[incident.pk]))
    assert 'id="known-errors"' in page and problem.number in page and "Restart the print spooler" in page
    apply_url = reverse("workarounds:apply", args=[incident.pk])
    assert apply_url in page
    response = client.post(apply_url, {"problem": problem.pk, "public": "0"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("incidents:detail", args=[incident.pk])
    assert "was added as a work note" in response.content.decode()
    assert Comment.objects.filter(ticket_id=incident.pk, is_internal=True, body__contains=problem.number).exists()
    assert AuditEntry.objects.filter(ticket_id=incident.pk, action="linked").exists()
    body = with_panels(client, response.content.decode()).split('id="known-errors"')[1]
    assert 'id="linked-problems"' in body and "Workaround applied" in body
    again = client.post(apply_url, {"problem": problem.pk, "public": "0"}, follow=True)
    assert again.status_code == 200 and "already applied" in again.content.decode()
    for bad in ("", "abc", "²", "99999999"):
        assert client.post(apply_url, {"problem": bad}).status_code == 302


def test_requesters_never_see_known_errors(client, agent):
    requester = factories.requester()
    known_error(agent, title="Printer queue stalls")
    incident = factories.incident(agent, title="Printer queue stalls", requester=requester)
    client.force_login(requester)
    page = ticket_page(client, reverse("incidents:detail", args=[incident.pk]))
    assert 'id="known-errors"' not in page and "Restart the print spooler" not in page
    assert client.post(reverse("workarounds:apply", args=[incident.pk]), {"problem": 1}).status_code == 403
    assert client.get(reverse("workarounds:suggest"), {"title": "Printer"}).status_code == 403


def test_the_form_suggests_while_typing(client, agent):
    problem = known_error(agent, title="Printer queue stalls")
    client.force_login(agent)
    form = client.get(reverse("incidents:create")).content.decode()
    assert 'id="known-error-suggestions"' in form and reverse("workarounds:suggest") in form
    fragment = client.get(reverse("workarounds:suggest"), {"title": "printer queue stalls", "service": "abc"})
    assert fragment.status_code == 200 and problem.number in fragment.content.decode()
    assert "Apply workaround" not in fragment.content.decode()
    assert client.get(reverse("workarounds:suggest"), {"title": "zzz qqq"}).content.decode().strip() == ""
