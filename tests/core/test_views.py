"""Authentication, profile, API tokens, saved filters and the start pages."""

import pytest
from django.test import Client
from django.urls import reverse

from core.models import ApiToken, Profile, SavedFilter
from tests.support import factories
from tests.support.queries import count_queries

pytestmark = pytest.mark.django_db


def login_post(client, username, password="pw-Secret-123", ip="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_login_page_and_successful_login(agent_user):
    client = Client()
    assert client.get(reverse("login")).status_code == 200
    response = login_post(client, "agent1")
    assert response.status_code == 302 and response.url == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_wrong_password_is_a_form_error(agent_user):
    client = Client()
    response = login_post(client, "agent1", "wrong")
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


# The lockout itself (django-axes, per username and address) is tested in tests/security/test_login_lockout.py.


def test_logout_is_a_post(client, agent_user):
    client.force_login(agent_user)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_pages_need_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_password_change(client, agent_user):
    client.force_login(agent_user)
    assert client.get(reverse("password_change")).status_code == 200
    response = client.post(reverse("password_change"), {
        "old_password": "pw-Secret-123", "new_password1": "An0ther-Secret-99", "new_password2": "An0ther-Secret-99"})
    assert response.status_code == 302
    agent_user.refresh_from_db()
    assert agent_user.check_password("An0ther-Secret-99")


def test_profile_is_created_on_demand_and_saved(client):
    user = factories.agent(username="noprofile")
    Profile.objects.filter(user=user).delete()
    client.force_login(user)
    assert client.get(reverse("profile")).status_code == 200
    response = client.post(reverse("profile"), {"timezone": "Asia/Shanghai", "language": "zh-hans", "phone": "1"})
    assert response.status_code == 302
    profile = Profile.objects.get(user=user)
    assert (profile.timezone, profile.language) == ("Asia/Shanghai", "zh-hans")


def test_profile_rejects_an_unknown_time_zone(client, agent_user):
    client.force_login(agent_user)
    response = client.post(reverse("profile"), {"timezone": "Mars/Olympus", "language": ""})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_api_token_create_shows_key_once_then_revoke(client, agent_user):
    client.force_login(agent_user)
    response = client.post(reverse("token_create"), {"name": "ci", "expires_on": "2999-01-01"}, follow=True)
    assert response.redirect_chain == [(reverse("profile"), 302)]
    token = ApiToken.objects.get(user=agent_user, name="ci")
    body = response.content.decode()
    assert 'id="new-token"' in body and token.prefix in body
    assert token.expires_at is not None
    assert 'id="new-token"' not in client.get(reverse("profile")).content.decode()
    assert client.post(reverse("token_revoke", args=[token.pk])).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and not token.is_active


def test_api_token_expiry_in_the_past_is_a_form_error(client, agent_user):
    client.force_login(agent_user)
    response = client.post(reverse("token_create"), {"name": "old", "expires_on": "2000-01-01"})
    assert response.status_code == 400
    assert "must be in the future" in response.content.decode()
    assert not ApiToken.objects.filter(name="old").exists()


def test_cannot_revoke_someone_elses_token(client, agent_user):
    other = factories.agent(username="other")
    token, _key = ApiToken.generate(other, "theirs")
    client.force_login(agent_user)
    client.post(reverse("token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is None


def test_saved_filter_save_apply_delete(client, agent_user):
    client.force_login(agent_user)
    response = client.post(reverse("saved_filter_save"), {
        "kind": "incident", "name": "My P1s", "query": "priority=1&open=true", "next": "/incidents/?priority=1"})
    assert response.status_code == 302 and response.url == "/incidents/?priority=1"
    saved = SavedFilter.objects.get(user=agent_user)
    page = client.get(reverse("incidents:list")).content.decode()
    assert "My P1s" in page and "?priority=1&amp;open=true" in page
    client.post(reverse("saved_filter_delete", args=[saved.pk]), {"next": "https://evil.example/"})
    assert not SavedFilter.objects.exists()


def test_my_work_lists_assigned_team_and_unassigned(client, agent_user):
    team = factories.TeamFactory(name="Network", members=[agent_user])
    mine = factories.incident(title="Mine", team=team, assignee=agent_user)
    unassigned = factories.incident(title="Nobody has it", team=team)
    elsewhere = factories.incident(title="Other team work")
    client.force_login(agent_user)
    response = client.get(reverse("home"))
    sections = {key: [r.number for r in rows] for _t, key, rows, _q, _h in response.context["sections"]}
    assert sections["assigned"] == [mine.number]
    assert set(sections["teams"]) == {mine.number, unassigned.number}
    assert sections["unassigned"] == [unassigned.number]
    assert elsewhere.number not in response.content.decode()


def test_my_work_query_count_is_constant(client, agent_user):
    team = factories.TeamFactory(name="Desk", members=[agent_user])
    client.force_login(agent_user)

    def make(n):
        for i in range(n):
            factories.incident(title=f"T{i}", team=team, assignee=agent_user if i % 2 else None)

    make(3)
    few = count_queries(lambda: client.get(reverse("home")))
    make(27)
    many = count_queries(lambda: client.get(reverse("home")))
    assert few == many


def test_requester_home_is_the_portal_with_own_incidents(client, requester_user):
    own = factories.incident(title="My laptop", requester=requester_user)
    other = factories.incident(title="Someone else's", requester=factories.requester(username="req2"))
    client.force_login(requester_user)
    body = client.get(reverse("home")).content.decode()
    assert own.number in body and other.number not in body
    assert "Report a problem" in body


def test_requester_sees_organization_incidents_when_allowed(client):
    org = factories.OrganizationFactory(name="Acme", requesters_see_organization_tickets=True)
    me = factories.requester(username="me", organization=org)
    colleague = factories.requester(username="colleague", organization=org)
    theirs = factories.incident(title="Colleague's", requester=colleague)
    client.force_login(me)
    assert theirs.number in client.get(reverse("home")).content.decode()


def test_team_agents_options(client, agent_user):
    team = factories.TeamFactory(name="Apps", members=[agent_user])
    client.force_login(agent_user)
    body = client.get(reverse("team_agents", args=[team.pk])).content.decode()
    assert f'value="{agent_user.pk}"' in body


@pytest.mark.parametrize("url", ["/admin/core/team/", "/admin/core/organization/", "/admin/core/prioritymatrix/",
                                 "/admin/core/apitoken/", "/admin/core/auditentry/", "/admin/incidents/category/",
                                 "/admin/incidents/incident/"])
def test_admin_configuration_screens_load(client, admin_user, url):
    factories.incident(title="Listed in admin")
    client.force_login(admin_user)
    assert client.get(url).status_code == 200


def test_admin_shows_incidents_read_only(client, admin_user):
    incident = factories.incident()
    client.force_login(admin_user)
    assert client.get("/admin/incidents/incident/add/").status_code == 403
    response = client.post(f"/admin/incidents/incident/{incident.pk}/change/", {"title": "hacked"})
    assert response.status_code == 403
    incident.refresh_from_db()
    assert incident.title != "hacked"


def test_pages_carry_the_htmx_csrf_header_and_the_language_switcher(client, agent_user):
    body = client.get(reverse("login")).content.decode()
    assert 'action="/i18n/setlang/"' in body and "简体中文" in body
    client.force_login(agent_user)
    body = client.get(reverse("home")).content.decode()
    assert "hx-headers='{\"X-CSRFToken\": \"" in body
    assert "vendor/htmx.min.js" in body and "vendor/pico.min.css" in body


def test_times_are_shown_in_the_users_time_zone(client, agent_user):
    from datetime import datetime, timezone as dt_timezone

    from core import account_services
    from incidents.models import Incident

    incident = factories.incident()
    Incident.objects.filter(pk=incident.pk).update(created_at=datetime(2026, 3, 1, 23, 30, tzinfo=dt_timezone.utc))
    account_services.update_profile(agent_user, "Asia/Shanghai", "")
    client.force_login(agent_user)
    body = client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    assert "2026-03-02 07:30" in body and "Asia/Shanghai" in body


def test_manager_sees_the_admin_link_agent_does_not(client, agent_user, manager_user):
    client.force_login(agent_user)
    assert 'href="/admin/"' not in client.get(reverse("home")).content.decode()
    client.force_login(manager_user)
    assert 'href="/admin/"' in client.get(reverse("home")).content.decode()
