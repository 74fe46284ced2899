"""Who is told what when a ticket is written: rules, the actor, work notes, watchers, languages, preferences."""

import pytest
from django.core.exceptions import ValidationError

from core import account_services, notification_services
from core import services as core_services
from core.models import Notification, NotificationEvent as Event, Outbox, Profile, TicketWatcher
from core.notifications import queue_emails
from incidents import services as incident_services
from incidents import workflow
from tests.support import factories
from tests.support.queries import count_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    org = factories.OrganizationFactory(name="Acme")
    alice = factories.agent(username="alice")
    bob = factories.agent(username="bob")
    carol = factories.agent(username="carol")
    team = factories.TeamFactory(name="Network", members=[alice, bob, carol])
    requester = factories.requester(username="rita", organization=org)
    other = factories.requester(username="oscar", organization=factories.OrganizationFactory(name="Other"))
    incident = factories.incident(actor=requester, title="VPN drops", requester=requester)
    Notification.objects.all().delete()
    Outbox.objects.all().delete()
    return {"alice": alice, "bob": bob, "carol": carol, "team": team, "requester": requester, "other": other,
            "incident": incident}


def inbox(user):
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def mail_to(user):
    return list(Outbox.objects.filter(recipient=user.email).values_list("subject", flat=True))


def resolve(incident, actor, **kw):
    return incident_services.transition_incident(
        incident, actor, workflow.RESOLVED, {"resolution_code": "solved_permanently", "resolution_notes": "Fixed"},
        **kw)


# --- assignment --------------------------------------------------------------------------------

def test_assignment_tells_the_assignee_and_the_team_but_not_the_actor(people):
    p = people
    core_services.assign(p["incident"], p["alice"], team=p["team"], assignee=p["bob"])
    assert inbox(p["bob"]) == [Event.ASSIGNED]
    assert inbox(p["carol"]) == [Event.ASSIGNED]
    assert inbox(p["alice"]) == [] and mail_to(p["alice"]) == []
    bob_note = Notification.objects.get(recipient=p["bob"])
    assert "assigned to you" in bob_note.text and bob_note.ticket_id == p["incident"].pk
    assert "assigned to your team Network" in Notification.objects.get(recipient=p["carol"]).text
    assert mail_to(p["bob"]) == [f"[{p['incident'].number}] {p['incident'].number} is assigned to you"]
    assert len(mail_to(p["carol"])) == 1
    assert inbox(p["requester"]) == []


def test_assigning_oneself_tells_nobody_but_the_rest_of_the_team(people):
    p = people
    core_services.assign(p["incident"], p["alice"], team=p["team"], assignee=p["alice"])
    assert inbox(p["alice"]) == [] and mail_to(p["alice"]) == []
    assert inbox(p["bob"]) == [Event.ASSIGNED]


def test_reassigning_the_person_only_tells_the_new_assignee(people):
    p = people
    core_services.assign(p["incident"], p["alice"], team=p["team"], assignee=p["bob"])
    Notification.objects.all().delete()
    core_services.assign(p["incident"], p["alice"], assignee=p["carol"])
    assert inbox(p["carol"]) == [Event.ASSIGNED] and inbox(p["bob"]) == []


def test_a_team_with_its_own_address_gets_one_email_and_members_in_app_notices(people):
    p = people
    p["team"].email = "network@example.com"
    p["team"].save()
    core_services.assign(p["incident"], p["alice"], team=p["team"])
    assert Outbox.objects.filter(recipient="network@example.com").count() == 1
    assert mail_to(p["bob"]) == [] and mail_to(p["carol"]) == []
    assert inbox(p["bob"]) == [Event.ASSIGNED] and inbox(p["carol"]) == [Event.ASSIGNED]


def test_creating_an_assigned_ticket_tells_the_assignee(people):
    p = people
    incident = factories.incident(actor=p["alice"], title="Disk full", team=p["team"], assignee=p["bob"])
    assert Notification.objects.filter(recipient=p["bob"], ticket=incident, kind=Event.ASSIGNED).exists()
    assert not Notification.objects.filter(recipient=p["alice"]).exists()


# --- replies -------------------------------------------------------------------------------------

def test_requester_reply_tells_the_assignee(people):
    p = people
    incident = core_services.assign(p["incident"], p["alice"], team=p["team"], assignee=p["bob"])
    Notification.objects.all().delete()
    Outbox.objects.all().delete()
    core_services.add_comment(incident, p["requester"], "Still broken this morning")
    assert inbox(p["bob"]) == [Event.REQUESTER_REPLIED]
    assert inbox(p["requester"]) == [] and inbox(p["carol"]) == []
    body = Outbox.objects.get(recipient=p["bob"].email).body
    assert "Still broken this morning" in body


def test_agent_public_reply_tells_the_requester_with_a_link(people, settings):
    p = people
    settings.SITE_URL = "https://desk.example.com/"
    core_services.add_comment(p["incident"], p["alice"], "Please restart the client")
    assert inbox(p["requester"]) == [Event.PUBLIC_REPLY]
    row = Outbox.objects.get(recipient=p["requester"].email)
    assert f"https://desk.example.com/incidents/{p['incident'].pk}/" in row.body
    assert "Please restart the client" in row.body
    assert inbox(p["alice"]) == []


def test_work_notes_tell_nobody_not_even_watchers(people):
    p = people
    notification_services.watch_ticket(p["incident"], p["carol"])
    notification_services.watch_ticket(p["incident"], p["requester"])
    core_services.add_comment(p["incident"], p["alice"], "Internal: router firmware bug", internal=True)
    assert Notification.objects.count() == 0 and Outbox.objects.count() == 0


# --- resolution and closure -----------------------------------------------------------------------

def test_resolution_and_closure_tell_the_requester(people):
    p = people
    incident = resolve(p["incident"], p["alice"])
    assert inbox(p["requester"]) == [Event.RESOLVED]
    assert "is resolved" in Notification.objects.get(recipient=p["requester"]).text
    incident_services.transition_incident(incident, p["bob"], workflow.CLOSED)
    texts = list(Notification.objects.filter(recipient=p["requester"]).values_list("text", flat=True))
    assert any("is closed" in text for text in texts)


def test_requester_closing_their_own_ticket_is_not_told(people):
    p = people
    incident = resolve(p["incident"], p["alice"])
    Notification.objects.all().delete()
    incident_services.transition_incident(incident, p["requester"], workflow.CLOSED)
    assert inbox(p["requester"]) == []


def test_other_state_changes_do_not_tell_the_requester(people):
    p = people
    incident_services.transition_incident(p["incident"], p["alice"], workflow.IN_PROGRESS)
    assert inbox(p["requester"]) == []


# --- watchers ------------------------------------------------------------------------------------------

def test_watchers_get_public_replies_and_state_changes_only(people):
    p = people
    notification_services.watch_ticket(p["incident"], p["carol"])
    core_services.add_comment(p["incident"], p["alice"], "Looking into it")
    assert inbox(p["carol"]) == [Event.WATCHED_UPDATED]
    incident = incident_services.transition_incident(p["incident"], p["alice"], workflow.IN_PROGRESS)
    assert inbox(p["carol"]) == [Event.WATCHED_UPDATED] * 2
    core_services.update_ticket(incident, p["alice"], {"impact": 1})
    assert len(inbox(p["carol"])) == 2


def test_telling_watchers_costs_the_same_queries_for_few_or_many(people):
    p = people
    organization = p["requester"].profile.organization
    organization.requesters_see_organization_tickets = True
    organization.save()

    core_services.add_comment(p["incident"], p["alice"], "First reply")  # the first one also stamps first response

    def reply_cost(watchers):
        for user in watchers:
            notification_services.watch_ticket(p["incident"], user)
        return count_queries(lambda: core_services.add_comment(p["incident"], p["alice"], "Update"))

    few = reply_cost([p["bob"], factories.requester(username="colleague", organization=organization)])
    many = reply_cost([factories.agent(username=f"watcher{i}") for i in range(8)]
                      + [factories.requester(username=f"colleague{i}", organization=organization) for i in range(4)])
    assert many == few


def test_a_watcher_is_not_told_of_their_own_change(people):
    p = people
    notification_services.watch_ticket(p["incident"], p["carol"])
    core_services.add_comment(p["incident"], p["carol"], "On it")
    assert inbox(p["carol"]) == []


def test_a_requester_watcher_gets_one_notice_per_change(people):
    p = people
    notification_services.watch_ticket(p["incident"], p["requester"])
    core_services.add_comment(p["incident"], p["alice"], "Reply")
    assert inbox(p["requester"]) == [Event.PUBLIC_REPLY]


def test_requesters_may_watch_only_tickets_they_can_see(people):
    p = people
    with pytest.raises(ValidationError):
        notification_services.watch_ticket(p["incident"], p["other"])
    assert not TicketWatcher.objects.exists()


def test_watch_is_idempotent_and_unwatch_stops_notices(people):
    p = people
    notification_services.watch_ticket(p["incident"], p["carol"])
    notification_services.watch_ticket(p["incident"], p["carol"])
    assert TicketWatcher.objects.count() == 1
    assert notification_services.unwatch_ticket(p["incident"], p["carol"]) is True
    core_services.add_comment(p["incident"], p["alice"], "Reply")
    assert inbox(p["carol"]) == []


# --- languages ----------------------------------------------------------------------------------------

def test_each_recipient_reads_in_their_own_language(people):
    p = people
    Profile.objects.filter(user=p["carol"]).update(language="zh-hans")
    notification_services.watch_ticket(p["incident"], p["carol"])
    notification_services.watch_ticket(p["incident"], p["bob"])
    incident_services.transition_incident(p["incident"], p["alice"], workflow.IN_PROGRESS)
    assert "处理中" in Notification.objects.get(recipient=p["carol"]).text
    assert "In Progress" in Notification.objects.get(recipient=p["bob"]).text
    assert "处理中" in Outbox.objects.get(recipient=p["carol"].email).subject


# --- preferences ---------------------------------------------------------------------------------------

def test_preferences_choose_the_channels_of_each_event(people):
    p = people
    account_services.set_preferences(p["requester"], {Event.PUBLIC_REPLY: {"email": False}})
    core_services.add_comment(p["incident"], p["alice"], "First reply")
    assert inbox(p["requester"]) == [Event.PUBLIC_REPLY] and mail_to(p["requester"]) == []
    account_services.set_preferences(p["requester"], {Event.PUBLIC_REPLY: {"email": True, "in_app": False}})
    core_services.add_comment(p["incident"], p["alice"], "Second reply")
    assert len(inbox(p["requester"])) == 1 and len(mail_to(p["requester"])) == 1
    account_services.set_preferences(p["requester"], {Event.PUBLIC_REPLY: {"email": False}})
    core_services.add_comment(p["incident"], p["alice"], "Third reply")
    assert len(inbox(p["requester"])) == 1 and len(mail_to(p["requester"])) == 1
    resolve(p["incident"], p["alice"])  # another event keeps its defaults
    assert inbox(p["requester"]).count(Event.RESOLVED) == 1


def test_preference_table_has_defaults_and_refuses_unknown_events(people):
    table = account_services.preference_table(people["bob"])
    assert set(table) == set(Event.values)
    assert all(channels == {"in_app": True, "email": True} for channels in table.values())
    with pytest.raises(ValidationError):
        account_services.set_preferences(people["bob"], {"nonsense": {"email": False}})


def test_sla_warning_emails_respect_the_preference(people):
    p = people
    account_services.set_preferences(p["bob"], {Event.SLA_WARNING: {"email": False}})
    queue_emails([([p["bob"].email, p["carol"].email], "SLA", "body", p["incident"])], event=Event.SLA_WARNING)
    assert list(Outbox.objects.values_list("recipient", flat=True)) == [p["carol"].email]


def test_inactive_users_are_not_told(people):
    p = people
    p["requester"].is_active = False
    p["requester"].save()
    core_services.add_comment(p["incident"], p["alice"], "Reply")
    assert Notification.objects.count() == 0
