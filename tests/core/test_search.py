"""Global search: the results page, the API and the search logic (number, words, stemming, CJK, isolation)."""

import pytest
from django.db import connection
from django.urls import reverse

from core import hooks, search
from core import services as core_services
from core.models import Ticket
from tests.support import factories
from tests.support.queries import count_queries, max_queries

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="stemming and ranking are PostgreSQL full-text search; SQLite matches each word as a substring")

API = "/api/v1/search/"


def digits(ticket):
    return str(int(ticket.number[3:]))


def numbers(rows):
    return [row["number"] for row in rows.json()["results"]]


@pytest.fixture
def org_requester(db):
    org = factories.OrganizationFactory(name="Acme")
    return factories.requester(username="acme-req", organization=org)


@pytest.fixture
def other_org_ticket(agent_user):
    other = factories.OrganizationFactory(name="Globex")
    stranger = factories.requester(username="globex-req", organization=other)
    return factories.incident(actor=agent_user, title="Globex payroll printer jammed", organization=other,
                              requester=stranger)


# --- numbers ----------------------------------------------------------------------------------

def test_number_candidates_pad_like_next_number_for_every_kind(monkeypatch, db):
    monkeypatch.setitem(hooks.ticket_kinds, "problem",
                        hooks.TicketKind(kind="problem", prefix="PRB", model=Ticket, workflow=None))
    assert sorted(search.number_candidates("1061")) == ["CHG0001061", "IMP0001061", "INC0001061", "PRB0001061",
                                                         "REQ0001061", "TASK0001061"]
    assert search.number_candidates("inc1061") == ["INC0001061"]
    assert search.number_candidates(" INC0001061 ") == ["INC0001061"]
    assert search.number_candidates("PRB12345678") == ["PRB12345678"]
    assert search.number_candidates("CHG1061") == ["CHG0001061"]
    assert search.number_candidates("XYZ1061") == []
    assert search.number_candidates("printer 1061") == []
    assert search.number_candidates("9" * 40) == []


@pytest.mark.parametrize("form", ["digits", "number", "lower"])
def test_a_single_number_redirects_to_the_ticket(client, agent_user, form):
    factories.incident(actor=agent_user, title="Decoy")
    ticket = factories.incident(actor=agent_user, title="VPN drops every hour")
    query = {"digits": digits(ticket), "number": ticket.number, "lower": f"inc{digits(ticket)}"}[form]
    client.force_login(agent_user)
    response = client.get(reverse("search"), {"q": query})
    assert response.status_code == 302
    assert response["Location"] == reverse("incidents:detail", args=[ticket.pk])


def test_number_search_in_the_api_with_and_without_prefix(agent_api, agent_user):
    ticket = factories.incident(actor=agent_user, title="VPN drops every hour")
    for query in (digits(ticket), ticket.number, ticket.number.lower()):
        assert numbers(agent_api.get(API, {"q": query}))[0] == ticket.number


# --- words ------------------------------------------------------------------------------------

def test_words_match_title_or_description_and_every_word_must_match(agent_api, agent_user):
    title = factories.incident(actor=agent_user, title="Printer on floor 3 is offline")
    described = factories.incident(actor=agent_user, title="Paper jam", description="The printer in room 12")
    factories.incident(actor=agent_user, title="Mail is slow")
    assert set(numbers(agent_api.get(API, {"q": "printer"}))) == {title.number, described.number}
    assert numbers(agent_api.get(API, {"q": "printer floor"})) == [title.number]
    assert numbers(agent_api.get(API, {"q": "nothing-like-this"})) == []


def test_results_page_lists_matches_with_state_and_link(client, agent_user):
    ticket = factories.incident(actor=agent_user, title="Printer on floor 3 is offline")
    client.force_login(agent_user)
    response = client.get(reverse("search"), {"q": "printer"})
    body = response.content.decode()
    assert response.status_code == 200
    assert ticket.number in body and reverse("incidents:detail", args=[ticket.pk]) in body and "New" in body
    assert 'value="printer"' in body  # the header box keeps the query


@postgresql_only
def test_stemming_finds_other_forms_of_a_word(agent_api, agent_user):
    ticket = factories.incident(actor=agent_user, title="Printer on floor 3 is offline")
    assert numbers(agent_api.get(API, {"q": "printers"})) == [ticket.number]
    assert numbers(agent_api.get(API, {"q": "Printers OFFLINE"})) == [ticket.number]
    assert numbers(agent_api.get(API, {"q": "printers online"})) == []  # every word must match
    connected = factories.incident(actor=agent_user, title="Cannot connect", description="Connections time out")
    assert numbers(agent_api.get(API, {"q": "connecting"})) == [connected.number]


@postgresql_only
def test_title_matches_rank_above_description_matches_then_newest_first(agent_api, agent_user):
    titled = factories.incident(actor=agent_user, title="Printer offline")
    described_old = factories.incident(actor=agent_user, title="Floor 3", description="printer offline")
    described_new = factories.incident(actor=agent_user, title="Floor 4", description="printer offline")
    assert numbers(agent_api.get(API, {"q": "printer"})) == [titled.number, described_new.number,
                                                             described_old.number]


@postgresql_only
def test_full_text_condition_uses_the_gin_index(agent_user):
    from django.contrib.postgres.search import SearchQuery

    queryset = Ticket.objects.annotate(document=search.search_vector()).filter(
        document=SearchQuery("printer", config=search.SEARCH_CONFIG, search_type="websearch")).values("id")
    sql, params = queryset.order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "ticket_search_vector_gin" in plan


def test_chinese_substring_is_found(agent_api, agent_user):
    ticket = factories.incident(actor=agent_user, title="打印机无法连接网络", description="三楼的打印机")
    factories.incident(actor=agent_user, title="邮件很慢")
    assert numbers(agent_api.get(API, {"q": "无法连接"})) == [ticket.number]
    assert numbers(agent_api.get(API, {"q": "三楼"})) == [ticket.number]


def test_results_are_bounded_per_kind_and_newest_first(monkeypatch, agent_api, agent_user):
    monkeypatch.setattr(search, "PER_KIND", 3)
    tickets = [factories.incident(actor=agent_user, title=f"Printer {i} offline") for i in range(5)]
    assert numbers(agent_api.get(API, {"q": "printer offline"})) == [t.number for t in reversed(tickets[2:])]


def test_query_count_does_not_grow_with_results(agent_api, agent_user):
    factories.incident(actor=agent_user, title="Printer 1 offline")
    few = count_queries(lambda: agent_api.get(API, {"q": "printer"}))
    for i in range(8):
        factories.incident(actor=agent_user, title=f"Printer {i} offline")
    with max_queries(few):
        assert len(agent_api.get(API, {"q": "printer"}).json()["results"]) == 9


def test_results_page_query_count_is_bounded(client, agent_user):
    for i in range(6):
        factories.incident(actor=agent_user, title=f"Printer {i} offline")
    client.force_login(agent_user)
    with max_queries(8):
        assert client.get(reverse("search"), {"q": "printer"}).status_code == 200


# --- requesters -------------------------------------------------------------------------------

def test_requester_never_finds_another_organizations_ticket(client, api_as, org_requester, agent_user,
                                                            other_org_ticket):
    own = factories.incident(actor=agent_user, title="Acme printer jammed", requester=org_requester,
                             organization=org_requester.profile.organization)
    api = api_as(org_requester)
    assert numbers(api.get(API, {"q": "printer"})) == [own.number]
    assert numbers(api.get(API, {"q": "Globex"})) == []
    for query in (other_org_ticket.number, digits(other_org_ticket)):
        assert numbers(api.get(API, {"q": query})) == []
    client.force_login(org_requester)
    response = client.get(reverse("search"), {"q": other_org_ticket.number})
    body = response.content.decode()
    assert response.status_code == 200 and "No ticket you can see matches." in body
    assert reverse("incidents:detail", args=[other_org_ticket.pk]) not in body
    assert client.get(reverse("search"), {"q": own.number})["Location"] == reverse("incidents:detail",
                                                                                   args=[own.pk])


def test_work_notes_are_never_searched(api_as, org_requester, agent_user):
    ticket = factories.incident(actor=agent_user, title="Laptop battery", requester=org_requester)
    core_services.add_comment(ticket, agent_user, "zanzibar vendor escalation", internal=True)
    assert numbers(api_as(org_requester).get(API, {"q": "zanzibar"})) == []
    assert numbers(api_as(org_requester).get(API, {"q": "battery"})) == [ticket.number]


# --- API shape and bad input --------------------------------------------------------------------

def test_api_result_shape(agent_api, agent_user):
    ticket = factories.incident(actor=agent_user, title="Printer on floor 3 is offline")
    response = agent_api.get(API, {"q": "printer"})
    assert response.status_code == 200
    assert response.json() == {"results": [{
        "kind": "incident", "id": ticket.pk, "number": ticket.number, "title": ticket.title, "state": "new",
        "url": reverse("incidents:detail", args=[ticket.pk])}]}


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "   "}, {"q": "print\x00er"}, {"q": "x" * 201}])
def test_api_bad_queries_are_400_with_a_field_message(agent_api, params):
    response = agent_api.get(API, params)
    assert response.status_code == 400
    assert response.json()["q"]


def test_api_needs_authentication(db):
    from rest_framework.test import APIClient

    assert APIClient().get(API, {"q": "x"}).status_code == 401


@pytest.mark.parametrize("query", ["", "   ", "print\x00er", "x" * 201])
def test_results_page_bad_queries_are_400_with_a_form_error(client, agent_user, query):
    client.force_login(agent_user)
    response = client.get(reverse("search"), {"q": query})
    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()


def test_results_page_without_a_query_shows_the_form(client, agent_user):
    client.force_login(agent_user)
    response = client.get(reverse("search"))
    assert response.status_code == 200 and 'id="search-q"' in response.content.decode()


def test_header_search_box_is_on_every_page_for_signed_in_users(client, agent_user):
    client.force_login(agent_user)
    body = client.get(reverse("home")).content.decode()
    assert f'action="{reverse("search")}"' in body and 'data-hotkey-focus="s"' in body
