"""Unicode digits that str.isdigit() accepts but int() and the database refuse ('²', '③') are bad input:
a 400 or an empty result, never a 500."""

import pytest

from core.converters import parse_id
from core.desk_models import CannedResponse
from core.widgets import UserPickerWidget
from tests.support import factories

pytestmark = pytest.mark.django_db
SUPERSCRIPT_TWO = "\u00b2"


@pytest.fixture
def quiet_client(client, agent_user):
    client.force_login(agent_user)
    client.raise_request_exception = False
    return client


@pytest.fixture
def quiet_api(agent_api):
    agent_api.raise_request_exception = False
    return agent_api


def test_parse_id_takes_only_ascii_digits_within_range():
    assert parse_id("12") == 12 and parse_id(" 7 ") == 7 and parse_id(5) == 5
    for bad in (SUPERSCRIPT_TWO, "\u2462", "0", "-1", "1.0", "", None, True, str(2**63), 2**63):
        assert parse_id(bad) is None, bad


def test_canned_render_with_a_unicode_digit_ticket_is_a_400(quiet_api):
    response = CannedResponse.objects.create(title="Hello", body="Hello")
    result = quiet_api.get(f"/api/v1/canned-responses/{response.pk}/render/?ticket={SUPERSCRIPT_TWO}")
    assert result.status_code == 400 and "ticket" in result.json()


def test_bulk_with_unicode_digit_assignee_or_team_is_a_400(quiet_api, quiet_client):
    ticket = factories.incident()
    api = quiet_api.post("/api/v1/tickets/bulk/", {"ids": [ticket.pk], "action": "assign",
                                                   "assignee": SUPERSCRIPT_TWO}, format="json")
    assert api.status_code == 400, api.content[:300]
    html = quiet_client.post("/tickets/bulk/", {"ids": [ticket.pk], "action": "assign", "team": SUPERSCRIPT_TWO})
    assert html.status_code == 400


@pytest.mark.parametrize("query", ["q", "assignee", "team"])
def test_queue_filters_with_unicode_digits_are_not_a_500(quiet_api, quiet_client, query):
    factories.incident()
    assert quiet_client.get(f"/incidents/?{query}={SUPERSCRIPT_TWO}").status_code in (200, 400)
    assert quiet_api.get(f"/api/v1/incidents/?{query}={SUPERSCRIPT_TWO}").status_code in (200, 400)


def test_user_directory_team_filter_with_unicode_digit_is_a_400(quiet_api):
    response = quiet_api.get(f"/api/v1/users/?team={SUPERSCRIPT_TWO}")
    assert response.status_code == 400 and "team" in response.json()


def test_reassign_with_unicode_digit_team_is_a_form_error(quiet_client):
    ticket = factories.incident()
    response = quiet_client.post(f"/incidents/{ticket.pk}/act/reassign/",
                                 {"team": SUPERSCRIPT_TWO, "version": ticket.version})
    assert response.status_code == 400


def test_related_id_and_if_match_with_unicode_digits_are_not_a_500(quiet_api):
    ticket = factories.incident()
    url = f"/api/v1/incidents/{ticket.pk}/"
    assert quiet_api.patch(url, {"team": SUPERSCRIPT_TWO}, format="json").status_code == 400
    assert quiet_api.patch(url, {"urgency": 1}, format="json",
                           HTTP_IF_MATCH=f'"{SUPERSCRIPT_TWO}"').status_code in (400, 412)


def test_picker_renders_a_unicode_digit_value_without_a_lookup():
    html = UserPickerWidget().render("assignee", SUPERSCRIPT_TWO)
    assert 'value="\u00b2"' in html
