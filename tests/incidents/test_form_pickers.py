"""The incident form's pickers, subcategories that follow the category, and the queue's filter labels."""

import pytest
from django.urls import reverse

from incidents.models import Category, Incident
from tests.support import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_client(client, agent_user):
    client.force_login(agent_user)
    return client


@pytest.fixture
def categories():
    hardware, software = Category.objects.create(name="Hardware"), Category.objects.create(name="Software")
    return {"hardware": hardware, "software": software,
            "printer": Category.objects.create(name="Printer", parent=hardware),
            "mail": Category.objects.create(name="Mail", parent=software)}


def test_create_form_has_requester_picker_and_following_subcategory(agent_client, categories):
    html = agent_client.get(reverse("incidents:create")).content.decode()
    assert 'id="id_requester_search"' in html and 'data-picker-url="/api/v1/users/"' in html
    assert "id_organization" in html.split('id="id_requester_search"')[1].split(">")[0]
    assert 'data-follows="id_category"' in html
    assert f'data-parent="{categories["hardware"].pk}"' in html
    assert "js/pickers.js" in html and "ci-picker.js" not in html


def test_a_subcategory_of_another_category_is_a_form_error(agent_client, categories):
    response = agent_client.post(reverse("incidents:create"), {
        "title": "Mail is down", "impact": 2, "urgency": 2, "channel": "phone",
        "category": categories["hardware"].pk, "subcategory": categories["mail"].pk})
    assert response.status_code == 400
    assert "The subcategory does not belong to the category." in response.content.decode()
    assert not Incident.objects.exists()
    requester = factories.requester(organization=factories.OrganizationFactory(name="Acme"))
    response = agent_client.post(reverse("incidents:create"), {
        "title": "Printer jammed", "impact": 2, "urgency": 2, "channel": "phone",
        "category": categories["hardware"].pk, "subcategory": categories["printer"].pk,
        "requester": requester.pk, "organization": requester.profile.organization_id})
    assert response.status_code == 302
    incident = Incident.objects.get()
    assert incident.subcategory_id == categories["printer"].pk and incident.requester_id == requester.pk


def test_the_api_refuses_a_subcategory_outside_the_category(agent_api, categories):
    response = agent_api.post("/api/v1/incidents/", {
        "title": "Mail is down", "category": categories["hardware"].pk, "subcategory": categories["mail"].pk},
        format="json")
    assert response.status_code == 400
    assert response.json()["subcategory"] == ["The subcategory does not belong to the category."]


def test_queue_filters_are_pickers_and_say_any(agent_client):
    factories.OrganizationFactory(name="Acme")
    html = agent_client.get(reverse("incidents:list")).content.decode()
    for name, url in (("requester", "/api/v1/users/"), ("configuration_item", "/api/v1/cis/"),
                      ("service", "/api/v1/services/"), ("organization", "/api/v1/organizations/"),
                      ("parent", "/api/v1/incidents/")):
        assert f'id="id_{name}_search"' in html, name
        assert f'data-picker-url="{url}"' in html, name
    for unwanted in ("Unknown", "---------", '<option value="">—</option>'):
        assert unwanted not in html
    assert '<option value="" selected>Any</option>' in html
    assert '<option value="-id"' in html and '<option value="" selected>Newest' not in html


def test_queue_filters_by_picked_requester_and_organization(agent_client):
    acme = factories.OrganizationFactory(name="Acme")
    ann = factories.requester(username="ann", first_name="Ann", last_name="Lee", organization=acme)
    mine = factories.incident(title="Ann's laptop", requester=ann, organization=acme)
    factories.incident(title="Someone else's")
    response = agent_client.get(reverse("incidents:list"), {"requester": ann.pk, "is_major": "false"})
    html = response.content.decode()
    assert mine.number in html and "Someone else" not in html
    assert 'value="Ann Lee"' in html and '<option value="false" selected>' in html
    html = agent_client.get(reverse("incidents:list"), {"organization": acme.pk}).content.decode()
    assert mine.number in html and "Someone else" not in html and 'value="Acme"' in html


def test_queue_titles_are_clipped_with_the_full_text_in_a_title(agent_client):
    long_title = "Printer on floor 3 " + "keeps jamming and printing blank pages " * 4
    factories.incident(title=long_title)
    html = agent_client.get(reverse("incidents:list")).content.decode()
    assert f'<td class="title"><span title="{long_title}">' in html
