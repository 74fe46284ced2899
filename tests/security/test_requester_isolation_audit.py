"""A requester of organization B sees nothing of organization A: not in the service catalogue, search,
pickers, notifications, saved views, bulk actions or exports. One test per finding of the isolation audit."""

from types import SimpleNamespace

import pytest
from django.test import Client

from tests.support import factories
from tests.support.cmdb_factories import CIFactory
from tests.support.slm_factories import AgreementFactory, TargetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared_service():
    """A service offered to Globex (A) and to Initech (B), running on an internal CI and a Globex CI."""
    globex, initech = factories.OrganizationFactory(name="Globex Secret Corp"), factories.OrganizationFactory(
        name="Initech")
    service = factories.ServiceFactory(name="Mail", description="E-mail for everyone")
    service.customers.add(globex, initech)
    internal = CIFactory(name="mx-internal-relay-07", service=service)
    theirs = CIFactory(name="globex-mailgw-01", service=service, organization=globex)
    mine = AgreementFactory(name="Initech mail SLA", organization=initech)
    mine.services.add(service)
    TargetFactory(agreement=mine, name="Initech mail resolution", service=service)
    other = AgreementFactory(name="Globex platinum SLA", organization=globex)
    other.services.add(service)
    TargetFactory(agreement=other, name="Globex platinum resolution", service=service)
    me = factories.requester(username="initech-req", organization=initech)
    secrets = [globex.name, internal.name, theirs.name, other.name, "Globex platinum resolution"]
    return SimpleNamespace(service=service, me=me, secrets=secrets)


def assert_no_secret(text, secrets, where):
    for secret in secrets:
        assert secret not in text, f"{where} names {secret!r}"


def test_service_pages_show_a_requester_only_their_own_view_of_the_service(shared_service):
    client = Client()
    client.force_login(shared_service.me)
    for url in ("/slm/services/", f"/slm/services/{shared_service.service.pk}/"):
        response = client.get(url)
        assert response.status_code == 200
        text = response.content.decode()
        assert "Mail" in text
        assert_no_secret(text, shared_service.secrets, url)
    detail = client.get(f"/slm/services/{shared_service.service.pk}/").content.decode()
    assert "Initech mail resolution" in detail  # their own SLA targets


def test_service_api_shows_a_requester_no_other_customers_or_internal_items(shared_service, api_as):
    api = api_as(shared_service.me)
    for response in (api.get("/api/v1/services/"), api.get("/api/v1/services/", {"search": "mai"}),
                     api.get(f"/api/v1/services/{shared_service.service.pk}/")):
        assert response.status_code == 200
        text = response.content.decode()
        assert "Mail" in text
        assert_no_secret(text, shared_service.secrets, response.request["PATH_INFO"])
        row = response.json()["results"][0] if "results" in response.json() else response.json()
        assert "customers" not in row and "configuration_items" not in row


def test_staff_still_see_every_customer_and_item_of_a_service(shared_service, api_as):
    row = api_as(factories.agent()).get(f"/api/v1/services/{shared_service.service.pk}/").json()
    assert len(row["customers"]) == 2 and len(row["configuration_items"]) == 2
    client = Client()
    client.force_login(factories.agent())
    page = client.get(f"/slm/services/{shared_service.service.pk}/").content.decode()
    assert "Globex Secret Corp" in page and "mx-internal-relay-07" in page


# --- the rest of the recent surface, as requester B, an integration account and anonymous -------------------

BIG = 2**70


@pytest.fixture
def world():
    from core import services as core_services
    from core.models import LinkKind

    globex, initech = factories.OrganizationFactory(name="Globex Secret Corp"), factories.OrganizationFactory(
        name="Initech")
    alice = factories.requester(username="globex-alice", first_name="Alicia", organization=globex)
    me = factories.requester(username="initech-bob", organization=initech)
    agent = factories.agent(username="audit-agent")
    team = factories.TeamFactory(name="Tier3 Secret Team", members=[agent])
    payroll = factories.ServiceFactory(name="Globex Payroll")
    payroll.customers.add(globex)
    ci = CIFactory(name="globex-db-01", organization=globex)
    theirs = factories.incident(actor=agent, requester=alice, title="Confidential Globex merger", service=payroll,
                                configuration_item=ci, team=team)
    mine = factories.incident(actor=agent, requester=me, title="My printer is jammed")
    core_services.add_link(mine, agent, theirs, LinkKind.RELATED)
    return SimpleNamespace(me=me, alice=alice, agent=agent, team=team, payroll=payroll, ci=ci, theirs=theirs,
                           mine=mine, secrets=[globex.name, alice.username, "Alicia", payroll.name, ci.name,
                                               theirs.title, theirs.number, team.name])


# {number}: the digits of the secret ticket's number (the search box echoes the query itself)
AUDITED_PAGES = ["/search/?q=Confidential", "/search/?q={number}", "/api/v1/search/?q=Confidential",
                 "/api/v1/search/?q={number}", "/notifications/", "/api/v1/notifications/", "/triage/", "/",
                 "/api/v1/users/", "/api/v1/organizations/?search=Glo", "/api/v1/services/?search=Pay",
                 "/api/v1/cis/?q=globex", "/api/v1/cis/?search=globex", "/api/v1/canned-responses/",
                 "/api/v1/assignment-rules/", "/api/v1/sla-timers/", "/api/v1/sla-timers/?ticket={pk}", "/events/",
                 "/api/v1/alerts/", "/api/v1/cis/export/", "/slm/services/", "/incidents/", "/api/v1/incidents/",
                 "/api/v1/incidents/?q=Confidential", "/incidents/{mine}/", "/api/v1/incidents/{mine}/links/",
                 "/api/v1/incidents/{mine}/audit/", "/api/v1/teams/", "/api/v1/teams/{team}/"]


@pytest.mark.parametrize("who", ["requester", "integration", "anonymous"])
def test_recent_pages_name_nothing_of_another_organization(world, who):
    from tests.support.events_factories import integration_user

    user = {"requester": world.me, "integration": integration_user(username="audit-bot"), "anonymous": None}[who]
    client = Client()
    if user is not None:
        client.force_login(user)
    for page in AUDITED_PAGES:
        url = page.format(number=int(world.theirs.number[3:]), pk=world.theirs.pk, mine=world.mine.pk, team=world.team.pk)
        response = client.get(url, follow=True)
        assert response.status_code < 500, url
        assert_no_secret(response.content.decode(), world.secrets, f"{who} {url}")


def test_teams_directory_is_for_service_desk_staff_only(world, api_as):
    """Finding: /api/v1/teams/ listed every internal team and its members to requesters and integrations."""
    from tests.support.events_factories import integration_user

    for user in (world.me, integration_user(username="audit-bot2")):
        assert api_as(user).get("/api/v1/teams/").status_code == 403
        assert api_as(user).get(f"/api/v1/teams/{world.team.pk}/").status_code == 403
    assert api_as(world.agent).get("/api/v1/teams/").json()["results"][0]["name"] == world.team.name


def test_requester_names_only_services_offered_to_their_organization(world, api_as):
    """Finding: a requester raising a ticket with any service id got that service's name back."""
    api = api_as(world.me)
    refused = api.post("/api/v1/incidents/", {"title": "Payroll?", "service": world.payroll.pk}, format="json")
    assert refused.status_code == 400 and "service" in refused.json()
    assert_no_secret(refused.content.decode(), world.secrets, "the refusal")
    offered = factories.ServiceFactory(name="Printing")
    offered.customers.add(world.me.profile.organization)
    created = api.post("/api/v1/incidents/", {"title": "Printer", "service": offered.pk}, format="json")
    assert created.status_code == 201 and created.json()["service"] == offered.pk
    staff = api_as(world.agent).post("/api/v1/incidents/", {"title": "Payroll down", "service": world.payroll.pk,
                                                           "requester": world.me.pk}, format="json")
    assert staff.status_code == 201


def test_saved_views_cannot_be_shared_with_a_foreign_team_or_delete_another_users_view(world):
    from core import account_services
    from core.models import SavedFilter

    theirs = account_services.save_filter(world.agent, "incident", "Tier3 queue", "team=1", team=world.team)
    client = Client()
    client.force_login(world.me)
    response = client.post("/filters/", {"kind": "incident", "name": "Mine", "query": "state=new",
                                         "team": world.team.pk})
    assert response.status_code == 400
    assert_no_secret(response.content.decode(), world.secrets, "the refused view")
    assert client.post(f"/filters/{theirs.pk}/delete/").status_code == 404
    assert SavedFilter.objects.filter(pk=theirs.pk).exists()


def test_canned_render_and_watch_refuse_a_foreign_ticket(world, api_as):
    from core.models import CannedResponse

    canned = CannedResponse.objects.create(title="Hello", body="About {ticket.number}: {ticket.title}")
    agent_render = api_as(world.agent).get(f"/api/v1/canned-responses/{canned.pk}/render/",
                                           {"ticket": world.theirs.pk})
    assert agent_render.status_code == 200
    api = api_as(world.me)
    for response in (api.get(f"/api/v1/canned-responses/{canned.pk}/render/", {"ticket": world.theirs.pk}),
                     api.post(f"/api/v1/incidents/{world.theirs.pk}/watch/"),
                     api.delete(f"/api/v1/incidents/{world.theirs.pk}/watch/")):
        assert response.status_code in (403, 404)
        assert_no_secret(response.content.decode(), world.secrets, response.request["PATH_INFO"])
    client = Client()
    client.force_login(world.me)
    assert client.post(f"/tickets/{world.theirs.pk}/watch/", {"watch": "1"}).status_code == 404
    link = client.post(f"/incidents/{world.mine.pk}/act/link/", {"number": world.theirs.number, "kind": "related"})
    assert link.status_code < 500
    assert world.theirs.title not in link.content.decode()


# --- hostile input: a 400 or a 404, never a 500 (SQLite and PostgreSQL) -------------------------------------

ID_PAGES = ["/incidents/{}/", "/incidents/{}/edit/", "/notifications/{}/read/", "/tickets/{}/watch/",
            "/filters/{}/delete/", "/attachments/{}/", "/slm/services/{}/", "/teams/{}/agents/", "/cmdb/cis/{}/",
            "/events/alerts/{}/", "/profile/tokens/{}/revoke/", "/slm/reports/service/{}/"]


@pytest.mark.parametrize("number", [2**63, BIG])
def test_an_id_beyond_the_integer_range_in_a_page_path_is_a_404(world, number):
    """Finding: `<int:pk>` passed 2**70 to the database (OverflowError on SQLite, a 500); `<id:pk>` is a 404."""
    client = Client(raise_request_exception=False)
    client.force_login(world.agent)
    for page in ID_PAGES:
        url = page.format(number)
        assert client.get(url).status_code == 404, url
        assert client.post(url).status_code in (404, 405), url


@pytest.mark.parametrize("url, param", [("/incidents/", "team"), ("/incidents/", "assignee"),
                                        ("/cmdb/cis/", "service"), ("/events/", "service"),
                                        ("/events/", "configuration_item"), ("/slm/reviews/", "service"),
                                        ("/api/v1/incidents/", "team"), ("/api/v1/cis/", "service"),
                                        ("/api/v1/alerts/", "configuration_item")])
@pytest.mark.parametrize("value", [str(BIG), "-1", "0", "[]"])
def test_list_filters_answer_an_out_of_range_id_without_a_500(world, url, param, value):
    """Finding: ids beyond 64 bits in a list filter crashed the HTML lists (SQLite OverflowError), and a filter
    no row can match crashed the queue's row count on PostgreSQL (EmptyResultSet in the planner estimate)."""
    client = Client(raise_request_exception=False)
    client.force_login(world.agent)
    assert client.get(url, {param: value}).status_code in (200, 400)


def test_bulk_form_refuses_out_of_range_ids(world):
    """Finding: POST /tickets/bulk/ with ids=2**70 was a 500 (the API already answered 400)."""
    client = Client(raise_request_exception=False)
    client.force_login(world.agent)
    response = client.post("/tickets/bulk/", {"ids": [str(BIG)], "action": "note", "note": "x"})
    assert response.status_code == 400
    api = Client(raise_request_exception=False)
    api.force_login(world.agent)
    assert api.post("/api/v1/tickets/bulk/", {"ids": [BIG], "action": "note", "body": "x"},
                    content_type="application/json").status_code == 400


@pytest.mark.parametrize("url, param", [("/api/v1/users/", "role"), ("/api/v1/users/", "search"),
                                        ("/api/v1/organizations/", "search"), ("/api/v1/services/", "search")])
def test_hand_read_query_parameters_refuse_nul_and_overlong_text(world, api_as, url, param):
    """Finding: NUL in ?role= was a 500 on PostgreSQL; ?search= on organizations and services had no bound."""
    api = api_as(world.agent)
    for value in ("a\x00b", "x" * 100_000):
        response = api.get(url, {param: value})
        assert response.status_code == 400 and param in response.json(), (value[:5], response.status_code)


NESTED = {"a": None}
for _depth in range(80):
    NESTED = {"a": NESTED}


@pytest.mark.parametrize("value", ["a\x00b", "x" * 100_000, BIG, -1, ["x"], NESTED, "9999-12-31", "0001-01-01"])
def test_recent_write_endpoints_answer_hostile_json_with_a_400(world, api_as, value):
    from core.models import CannedResponse

    manager = factories.manager(username="audit-manager")
    canned = CannedResponse.objects.create(title="Hello", body="Hi")
    cases = [
        (world.me, "post", "/api/v1/incidents/", {"title": "t", "service": None}),
        (world.me, "post", f"/api/v1/incidents/{world.mine.pk}/comments/", {"body": "hi"}),
        (world.me, "patch", "/api/v1/me/notification-preferences/", {"assigned": {"in_app": True}}),
        (world.agent, "post", "/api/v1/tickets/bulk/", {"ids": [world.mine.pk], "action": "note", "body": "b"}),
        (world.agent, "post", f"/api/v1/incidents/{world.mine.pk}/links/", {"target": world.theirs.pk,
                                                                            "kind": "related"}),
        (manager, "post", "/api/v1/canned-responses/", {"title": "t", "body": "b"}),
        (manager, "patch", f"/api/v1/canned-responses/{canned.pk}/", {"title": "t"}),
        (manager, "post", "/api/v1/assignment-rules/", {"name": "n", "team": world.team.pk, "order": 1,
                                                        "conditions": {"priority": [1]}}),
        (world.agent, "post", "/api/v1/sla-timers/repair/", {"tickets": [world.mine.pk]}),
    ]
    for user, method, url, base in cases:
        api = api_as(user)
        for key in base:
            response = getattr(api, method)(url, {**base, key: value}, format="json")
            assert response.status_code < 500, (url, key, response.status_code)
            if user == world.me:
                assert_no_secret(response.content.decode(), world.secrets, url)
