"""The requester's self-service portal: home sections and tabs, search, the catalogue, the order page (GET,
POST, errors as 400, items not offered as 404) and isolation between organizations."""

from datetime import datetime, timezone as dt_timezone

import pytest
from django import forms
from django.template import engines
from django.test import Client
from django.urls import reverse

from core import hooks
from core.models import Attachment, Ticket
from incidents import services as incident_services
from servicerequests import expected as expected_module
from servicerequests import portal_queries, portal_views
from servicerequests.expected import Expected
from servicerequests.models import CatalogCategory, CatalogItem, Icon, ServiceRequest
from servicerequests.variables import VariablesError
from tests.support import factories
from tests.support.queries import max_queries

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world():
    acme, globex = factories.OrganizationFactory(name="Acme"), factories.OrganizationFactory(name="Globex")
    hardware = CatalogCategory.objects.create(name="Hardware", order=1)
    access = CatalogCategory.objects.create(name="Access", order=2)
    workplace = factories.ServiceFactory(name="Workplace")
    workplace.customers.add(acme, globex)
    laptop = CatalogItem.objects.create(name="New laptop", summary="A standard laptop", category=hardware,
                                        service=workplace, icon=Icon.LAPTOP, description="For new and old staff.")
    vpn = CatalogItem.objects.create(name="VPN access", summary="Work from home", category=access,
                                     service=workplace, icon=Icon.KEY)
    secret = CatalogItem.objects.create(name="Globex lab badge", category=access, service=workplace,
                                        icon=Icon.LOCK)
    secret.organizations.add(globex)
    retired = CatalogItem.objects.create(name="Fax machine", category=hardware, service=workplace, active=False)
    mei = factories.requester(username="mei", organization=acme)
    bob = factories.requester(username="bob", organization=globex)
    agent = factories.agent(username="desk")
    mine = factories.incident(actor=agent, requester=mei, title="Mei's printer jams")
    theirs = factories.incident(actor=agent, requester=bob, title="Globex secret outage")
    return {"acme": acme, "globex": globex, "laptop": laptop, "vpn": vpn, "secret": secret, "retired": retired,
            "mei": mei, "bob": bob, "agent": agent, "mine": mine, "theirs": theirs, "hardware": hardware}


def close(incident, agent):
    incident_services.transition_incident(incident, agent, "cancelled", {"cancel_reason": "Duplicate"})


# --- home -------------------------------------------------------------------------------------------

def test_requester_home_is_the_portal_with_every_section(world):
    page = logged_in(world["mei"]).get("/")
    text = page.content.decode()
    assert page.status_code == 200
    assert 'id="portal-q"' in text and 'action="/portal/search/"' in text
    assert "New laptop" in text and "A standard laptop" in text and 'class="icon icon-laptop"' in text
    assert text.index("Hardware") < text.index("Access")
    assert 'id="report-problem"' in text and 'action="/incidents/report/"' in text
    assert 'enctype="multipart/form-data"' in text and 'name="urgency"' in text
    assert 'id="kb-suggestions"' in text  # knowledge still offers answers while typing
    assert world["mine"].number in text and 'id="tab-open" aria-current="page"' in text
    assert "Fax machine" not in text  # inactive items are not offered
    assert 'id="approvals-waiting"' not in text  # nothing waits: no section at all


def test_portal_is_reachable_at_its_own_address_and_for_staff(world):
    assert logged_in(world["mei"]).get(reverse("portal:home")).status_code == 200
    assert logged_in(world["agent"]).get(reverse("portal:home")).status_code == 200
    assert 'id="work-assigned"' in logged_in(world["agent"]).get("/").content.decode()  # staff keep My work


def test_signed_out_visitors_are_sent_to_log_in():
    for name in ("portal:home", "portal:catalog", "portal:search", "portal:tickets"):
        response = Client().get(reverse(name))
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_open_and_closed_tabs(world):
    client = logged_in(world["mei"])
    done = factories.incident(actor=world["agent"], requester=world["mei"], title="Old VPN trouble")
    close(done, world["agent"])
    open_page = client.get("/").content.decode()
    assert world["mine"].number in open_page and done.number not in open_page
    closed_page = client.get("/?tab=closed").content.decode()
    assert done.number in closed_page and world["mine"].number not in closed_page
    assert 'id="tab-closed" aria-current="page"' in closed_page
    assert client.get("/?tab=bogus").status_code == 200  # an unknown tab is the open one


def test_home_lists_are_bounded_with_a_more_link_to_a_keyset_list(world):
    for n in range(portal_queries.HOME_LIST_SIZE + 2):
        factories.incident(actor=world["agent"], requester=world["mei"], title=f"Bulk {n:02d}")
    client = logged_in(world["mei"])
    page = client.get("/").content.decode()
    assert page.count('class="ticket-card-link"') == portal_queries.HOME_LIST_SIZE and 'id="more-tickets"' in page
    first = client.get(reverse("portal:tickets")).content.decode()
    assert first.count('class="ticket-card-link"') == portal_queries.LIST_PAGE_SIZE and 'id="next-page"' in first
    cursor = first.split('rel="next" id="next-page"')[0].rsplit("after=", 1)[1].split('"')[0]
    second = client.get(reverse("portal:tickets"), {"after": cursor}).content.decode()
    assert "Mei&#x27;s printer jams" in second or "Mei's printer jams" in second
    assert client.get(reverse("portal:tickets"), {"after": "garbage!"}).status_code == 200


def test_portal_pages_ask_a_bounded_number_of_queries(world):
    for n in range(10):
        factories.incident(actor=world["agent"], requester=world["mei"], title=f"Bulk {n}")
    for n in range(5):
        CatalogItem.objects.create(name=f"Item {n}", category=world["hardware"], service=world["laptop"].service)
    client = logged_in(world["mei"])
    client.get("/")
    for url, limit in (("/", 12), (reverse("portal:tickets"), 8), (reverse("portal:catalog"), 9)):
        with max_queries(limit):
            assert client.get(url).status_code == 200


def test_my_lists_hold_only_what_i_raised_not_what_i_may_see_otherwise(world, monkeypatch):
    """An approver may see a ticket they approve (the approvals side widens visible_tickets); it is not theirs."""
    other = factories.incident(actor=world["agent"], requester=factories.requester(organization=world["acme"]),
                               title="A colleague's laptop")
    monkeypatch.setattr("core.permissions.visible_tickets", lambda user, qs: qs)
    page = logged_in(world["mei"]).get("/").content.decode()
    assert world["mine"].number in page and other.number not in page and world["theirs"].number not in page


def test_organization_tickets_are_listed_where_the_organization_allows(world):
    world["acme"].requesters_see_organization_tickets = True
    world["acme"].save()
    colleague = factories.incident(actor=world["agent"], requester=factories.requester(organization=world["acme"]),
                                   title="A colleague's laptop")
    page = logged_in(world["mei"]).get("/").content.decode()
    assert colleague.number in page and world["theirs"].number not in page


def test_approvals_waiting_are_shown_through_the_approvals_component(world):
    from core import approvals

    assert 'id="approvals-waiting"' not in logged_in(world["mei"]).get("/").content.decode()
    colleague = factories.requester(username="kai", organization=world["acme"])
    asked = factories.incident(actor=world["agent"], requester=colleague, title="Kai needs a second screen")
    approval = approvals.start_stage(asked, world["agent"], [world["mei"]]).approvals.get()
    page = logged_in(world["mei"]).get("/").content.decode()
    assert 'id="approvals-waiting"' in page and asked.number in page and f'id="approval-{approval.pk}"' in page


# --- isolation ---------------------------------------------------------------------------------------

def test_nothing_of_another_organization_anywhere_in_the_portal(world):
    client = logged_in(world["mei"])
    pages = [client.get(url).content.decode() for url in (
        "/", "/?tab=closed", reverse("portal:catalog"), reverse("portal:tickets"),
        reverse("portal:search") + "?q=badge", reverse("portal:search") + "?q=Globex")]
    for text in pages:
        assert "Globex lab badge" not in text and world["theirs"].number not in text
        assert "Globex secret outage" not in text
    assert client.get(reverse("portal:order", args=[world["secret"].pk])).status_code == 404
    assert logged_in(world["bob"]).get(reverse("portal:order", args=[world["secret"].pk])).status_code == 200


def test_items_not_offered_are_404(world):
    client = logged_in(world["mei"])
    for pk in (world["retired"].pk, 10**6, 2**70):
        assert client.get(f"/portal/catalog/{pk}/").status_code == 404
    nobody = factories.requester(username="no-org")  # no organization: nothing is offered
    assert logged_in(nobody).get(reverse("portal:order", args=[world["laptop"].pk])).status_code == 404
    assert "New laptop" not in logged_in(nobody).get("/").content.decode()
    assert client.post(reverse("portal:order", args=[world["secret"].pk]), {}).status_code == 404


# --- search and catalogue ------------------------------------------------------------------------------

def test_search_finds_items_and_requester_answers(world):
    from knowledge.models import Audience
    from tests.knowledge.support import article

    article(world["agent"], title="Laptop battery drains fast", body="Lower the brightness.")
    article(world["agent"], title="Laptop imaging runbook", body="Internal.", audience=Audience.AGENTS)
    text = logged_in(world["mei"]).get(reverse("portal:search"), {"q": "laptop"}).content.decode()
    assert "New laptop" in text and "Laptop battery drains fast" in text
    assert "Laptop imaging runbook" not in text and "VPN access" not in text
    assert 'value="laptop"' in text


def test_search_refuses_bad_input_with_400(world):
    client = logged_in(world["mei"])
    assert client.get(reverse("portal:search"), {"q": "x" * 201}).status_code == 400
    assert client.get(reverse("portal:search"), {"q": "a\x00b"}).status_code == 400
    empty = client.get(reverse("portal:search"), {"q": ""})
    assert empty.status_code == 400 and "Type a few words" in empty.content.decode()


def test_catalogue_by_category_and_filtered(world):
    client = logged_in(world["mei"])
    text = client.get(reverse("portal:catalog")).content.decode()
    assert "New laptop" in text and "VPN access" in text and "Globex lab badge" not in text
    only = client.get(reverse("portal:catalog"), {"category": world["hardware"].pk}).content.decode()
    assert "New laptop" in only and "VPN access" not in only
    assert client.get(reverse("portal:catalog"), {"category": "²"}).status_code == 400
    assert client.get(reverse("portal:catalog"), {"category": 10**6}).status_code == 200


# --- the order page -------------------------------------------------------------------------------------

@pytest.fixture
def laptop_form(world):
    """The laptop's own questions: a model to choose and a reason."""
    from servicerequests.models import ItemField

    ItemField.objects.create(item=world["laptop"], order=1, name="model", label="Model", type="choice",
                             required=True, choices=["14 inch", "16 inch"])
    ItemField.objects.create(item=world["laptop"], order=2, name="reason", label="Why do you need it?",
                             required=True, max_value=200)


@pytest.fixture
def created(monkeypatch):
    """servicerequests.services.create_request as the portal calls it, recorded."""
    calls = []
    real = portal_views.create_request

    def create(actor, data):
        calls.append((actor, data))
        return real(actor, data)

    monkeypatch.setattr(portal_views, "create_request", create)
    return calls


def test_order_page_shows_the_item_its_form_and_the_expected_date(world, laptop_form, monkeypatch):
    due = datetime(2026, 12, 3, 9, 0, tzinfo=dt_timezone.utc)
    monkeypatch.setattr(portal_queries, "expected_fulfilment",
                        lambda item, organization=None, start=None: Expected(2 * 8 * 3600, due, True, 8 * 3600))
    text = logged_in(world["mei"]).get(reverse("portal:order", args=[world["laptop"].pk])).content.decode()
    assert "New laptop" in text and "For new and old staff." in text
    assert 'name="model"' in text and 'name="order-title"' in text and 'name="order-attachments"' in text
    assert 'id="expected-fulfilment"' in text and "Usually done within 2 working days; expected by Thu 3 Dec" in text


def test_order_page_says_nothing_about_timing_without_a_target(world, laptop_form):
    text = logged_in(world["mei"]).get(reverse("portal:order", args=[world["laptop"].pk])).content.decode()
    assert 'id="expected-fulfilment"' not in text and "Usually done" not in text


def test_ordering_sends_the_request_through_the_service(world, laptop_form, created):
    response = logged_in(world["mei"]).post(reverse("portal:order", args=[world["laptop"].pk]), {
        "model": "16 inch", "reason": "Mine broke", "order-title": "Laptop for Mei",
        "order-attachments": [_png("quote.png")]})
    assert response.status_code == 302
    (actor, data), = created
    assert actor == world["mei"] and data["catalog_item"] == world["laptop"] and data["channel"] == "portal"
    assert data["variables"] == {"model": "16 inch", "reason": "Mine broke"} and data["title"] == "Laptop for Mei"
    request = ServiceRequest.objects.get(catalog_item=world["laptop"])
    assert list(Attachment.objects.filter(ticket_id=request.pk).values_list("filename", flat=True)) == ["quote.png"]
    assert response["Location"] == reverse("requests:detail", args=[request.pk])


def test_bad_answers_are_400_and_keep_what_was_typed(world, laptop_form, created):
    client = logged_in(world["mei"])
    url = reverse("portal:order", args=[world["laptop"].pk])
    response = client.post(url, {"model": "", "reason": "Mine broke", "order-title": "Keep me"})
    text = response.content.decode()
    assert response.status_code == 400 and "This field is required." in text
    assert 'value="Mine broke"' in text and 'value="Keep me"' in text and created == []


def test_service_refusal_is_shown_on_the_field_as_400(world, laptop_form, monkeypatch):
    def refuse(actor, data):
        raise VariablesError({"reason": ["Say a bit more."], "unknown": ["Not a question of this item."]})

    monkeypatch.setattr(portal_views, "create_request", refuse)
    response = logged_in(world["mei"]).post(reverse("portal:order", args=[world["laptop"].pk]),
                                            {"model": "14 inch", "reason": "x"})
    text = response.content.decode()
    assert response.status_code == 400 and "Say a bit more." in text and "Not a question of this item." in text
    assert 'value="x"' in text and not ServiceRequest.objects.exists()


def test_validation_error_from_the_service_is_400_not_500(world, laptop_form, monkeypatch):
    from django.core.exceptions import ValidationError

    def refuse(actor, data):
        raise ValidationError({"title": ["Too long for us."]})

    monkeypatch.setattr(portal_views, "create_request", refuse)
    response = logged_in(world["mei"]).post(reverse("portal:order", args=[world["laptop"].pk]),
                                            {"model": "14 inch", "reason": "ok"})
    assert response.status_code == 400 and "Too long for us." in response.content.decode()


def test_a_refused_attachment_is_a_field_error(world, laptop_form, created):
    response = logged_in(world["mei"]).post(reverse("portal:order", args=[world["laptop"].pk]), {
        "model": "14 inch", "reason": "ok", "order-attachments": [_file("page.html", b"<html><script>x</script>")]})
    assert response.status_code == 400 and "page.html" in response.content.decode() and created == []


def test_too_many_files_are_refused_before_anything_is_created(world, laptop_form, created):
    too_many = [_png(f"shot{n}.png") for n in range(6)]
    response = logged_in(world["mei"]).post(reverse("portal:order", args=[world["laptop"].pk]),
                                            {"model": "14 inch", "reason": "ok", "order-attachments": too_many})
    assert response.status_code == 400 and "at most 5" in response.content.decode()
    assert not Ticket.objects.filter(kind="request").exists()


def test_an_item_without_questions_is_ordered_and_lands_on_its_page(world):
    response = logged_in(world["mei"]).post(reverse("portal:order", args=[world["vpn"].pk]), {})
    request = ServiceRequest.objects.get(catalog_item=world["vpn"])
    assert response.status_code == 302 and response["Location"] == reverse("requests:detail", args=[request.pk])
    assert request.requester == world["mei"] and request.channel == "portal"


def _file(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def _png(name):
    return _file(name, PNG)
