"""/api/v1/catalog-items/ and /api/v1/catalog-categories/: who reads what, writes through save_item."""

import pytest

from servicerequests.catalog_queries import search_items
from servicerequests.models import CatalogItem, FieldType, ItemField, ServiceRequest
from tests.conftest import client_for
from tests.support import factories
from tests.support.catalog_factories import (ApprovalStepFactory, CatalogCategoryFactory, CatalogItemFactory,
                                             TaskTemplateFactory, field, offered_item)
from tests.support.cmdb_factories import CIFactory
from tests.support.queries import count_queries
from tests.support.slm_factories import TargetFactory

pytestmark = pytest.mark.django_db
ITEMS = "/api/v1/catalog-items/"
CATEGORIES = "/api/v1/catalog-categories/"


@pytest.fixture
def acme():
    return factories.OrganizationFactory(name="Acme")


@pytest.fixture
def other():
    return factories.OrganizationFactory(name="Other")


@pytest.fixture
def requester(acme):
    return factories.requester(organization=acme)


@pytest.fixture
def catalogue(acme, other):
    hardware = CatalogCategoryFactory(name="Hardware", order=1)
    laptop = offered_item(acme, name="New laptop", category=hardware)
    field(laptop, "model", FieldType.CHOICE, choices=["13-inch", "15-inch"], required=True)
    ApprovalStepFactory(item=laptop)
    TaskTemplateFactory(item=laptop, title="Prepare the laptop")
    named = CatalogItemFactory(name="VPN access", organizations=[acme])
    foreign = CatalogItemFactory(name="Other's secret item", organizations=[other])
    offered_item(other, name="Other's service item")
    offered_item(acme, name="Retired item", active=False)
    return {"laptop": laptop, "vpn": named, "foreign": foreign}


def names(response):
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


def test_requester_reads_only_items_offered_to_them(catalogue, requester):
    api = client_for(requester)
    assert sorted(names(api.get(ITEMS))) == ["New laptop", "VPN access"]
    row = api.get(f"{ITEMS}{catalogue['laptop'].pk}/").json()
    assert row["fields"] == [{"name": "model", "label": "Model", "type": "choice", "required": True,
                              "choices": ["13-inch", "15-inch"], "min": None, "max": None, "pattern": "",
                              "shown_when": None, "help_text": "", "default": ""}]
    assert row["request_type"] == "provision" and row["service_name"] == catalogue["laptop"].service.name
    for hidden in ("approval", "tasks", "organizations", "team"):
        assert hidden not in row
    assert api.get(f"{ITEMS}{catalogue['foreign'].pk}/").status_code == 404
    assert "secret" not in api.get(ITEMS).content.decode()


def test_someone_without_an_organization_sees_nothing(catalogue):
    assert names(client_for(factories.requester()).get(ITEMS)) == []
    assert client_for(None).get(ITEMS).status_code in (401, 403)


def test_staff_read_the_fulfilment_plan(catalogue, agent_api):
    assert len(names(agent_api.get(ITEMS))) == 4  # every active item
    row = agent_api.get(f"{ITEMS}{catalogue['laptop'].pk}/").json()
    assert row["approval"] == [{"order": 1, "approver": "manager", "group": None, "group_name": None, "user": None,
                                "user_name": None, "rule": "any", "required": 1}]
    assert [task["title"] for task in row["tasks"]] == ["Prepare the laptop"]


def test_expected_fulfilment_in_the_item(catalogue, requester):
    TargetFactory(ticket_kind="request", service=catalogue["laptop"].service, target_seconds=2 * 86400)
    rows = {row["name"]: row for row in client_for(requester).get(ITEMS).json()["results"]}
    assert rows["New laptop"]["expected"]["text"].startswith("Usually done within 2 days; expected by ")
    assert rows["VPN access"]["expected"] is None


def test_list_query_count_is_constant(acme, requester, agent_user):
    TargetFactory(ticket_kind="request", target_seconds=86400)

    def fill(n):
        for i in range(n):
            item = offered_item(acme)
            field(item, f"f{i}", FieldType.CHOICE, choices=["a"])
            ApprovalStepFactory(item=item)
            TaskTemplateFactory(item=item)

    for user in (requester, agent_user):
        api = client_for(user)
        fill(2)
        names(api.get(ITEMS))  # the token's first use is stamped
        few = count_queries(lambda: names(api.get(ITEMS)))
        fill(8)
        assert count_queries(lambda: names(api.get(ITEMS))) == few <= 10, user


def test_search_category_filter_and_cursor(catalogue, requester, acme):
    chinese = offered_item(acme, name="笔记本电脑申请", description="申请一台新的笔记本电脑")
    api = client_for(requester)
    assert names(api.get(ITEMS, {"q": "笔记本"})) == ["笔记本电脑申请"]
    assert names(api.get(ITEMS, {"q": "LAPTOP new"})) == ["New laptop"]
    assert names(api.get(ITEMS, {"category": chinese.category_id})) == ["笔记本电脑申请"]
    assert api.get(ITEMS, {"category": "x"}).status_code == 400
    assert [item.name for item in search_items(requester, "电脑")] == ["笔记本电脑申请"]
    assert search_items(requester, "  ") == [] and len(search_items(factories.agent(), "e", limit=2)) == 2
    assert search_items(requester, "secret") == []
    first = api.get(ITEMS, {"page_size": 2}).json()
    second = api.get(first["next"]).json()
    assert len(first["results"]) == 2 and len(second["results"]) == 1


def payload(category, service, team, **extra):
    return {"name": "Software install", "summary": "Get software installed", "category": category.pk,
            "service": service.pk, "request_type": "service_action", "icon": "software",
            "fields": [
                {"name": "package", "label": "Package", "type": "choice", "choices": ["Office", "CAD"],
                 "required": True},
                {"name": "seats", "label": "Seats", "type": "number", "min": 1, "max": 10, "default": "1"},
                {"name": "licence", "label": "Licence key", "type": "text", "pattern": "[A-Z0-9-]+",
                 "shown_when": {"field": "package", "value": "CAD"}}],
            "approval": [{"approver": "service_owner"}, {"approver": "group", "group": team.pk, "rule": "n_of_m",
                                                        "required": 2}],
            "tasks": [{"stage": 1, "title": "Install", "team": team.pk}], **extra}


def test_manager_creates_updates_and_deletes_an_item(manager_user):
    api = client_for(manager_user)
    category, service, team = CatalogCategoryFactory(), factories.ServiceFactory(), factories.TeamFactory()
    response = api.post(ITEMS, payload(category, service, team), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert [f["name"] for f in body["fields"]] == ["package", "seats", "licence"]
    assert body["fields"][1]["min"] == 1 and body["fields"][2]["shown_when"] == {"field": "package", "value": "CAD"}
    assert [step["approver"] for step in body["approval"]] == ["service_owner", "group"]
    item = CatalogItem.objects.get(pk=body["id"])
    package_id = item.fields.get(name="package").pk
    task_id = body["tasks"][0]["id"] if "id" in body["tasks"][0] else item.task_templates.get().pk

    response = api.patch(f"{ITEMS}{item.pk}/", {
        "fields": [{"name": "package", "label": "Package", "type": "choice", "choices": ["Office", "CAD", "GIS"]}],
        "tasks": [{"id": task_id, "stage": 2, "title": "Install it", "team": team.pk}]}, format="json")
    assert response.status_code == 200, response.content
    assert list(item.fields.values_list("name", "pk")) == [("package", package_id)]
    assert list(item.task_templates.values_list("pk", "stage")) == [(task_id, 2)]
    assert item.approval_steps.count() == 2  # not given: kept

    assert api.delete(f"{ITEMS}{item.pk}/").status_code == 204
    assert not CatalogItem.objects.filter(pk=item.pk).exists()


def test_an_item_with_requests_cannot_be_deleted(manager_user):
    item = CatalogItemFactory()
    ServiceRequest.objects.create(number="REQ0999999", kind="request", title="x", state="new", catalog_item=item,
                                  request_type=item.request_type)
    response = client_for(manager_user).delete(f"{ITEMS}{item.pk}/")
    assert response.status_code == 400 and "inactive" in str(response.json())


def test_bad_nested_input_is_a_400_with_field_messages(manager_user):
    api = client_for(manager_user)
    category, service, team = CatalogCategoryFactory(), factories.ServiceFactory(), factories.TeamFactory()
    data = payload(category, service, team)
    data["fields"] += [
        {"name": "package", "label": "Again", "type": "text"},
        {"name": "size", "label": "Size", "type": "choice"},
        {"name": "count", "label": "Count", "type": "number", "min": 5, "max": 2},
        {"name": "code", "label": "Code", "type": "text", "pattern": "([a-z"},
        {"name": "early", "label": "Early", "type": "text", "shown_when": {"field": "later", "value": "x"}},
        {"name": "pick", "label": "Pick", "type": "text", "shown_when": {"field": "package", "value": "Nope"}},
        {"name": "later", "label": "Later", "type": "text", "pattern": "x" * 256},
    ]
    data["approval"] = [{"approver": "group"}, {"approver": "user"}, {"approver": "manager", "rule": "n_of_m",
                                                                      "required": 0}]
    response = api.post(ITEMS, data, format="json")
    assert response.status_code == 400, response.content
    errors = response.json()
    assert set(errors) == {"fields", "approval"}
    fields = errors["fields"]
    assert "name" in fields["3"] and "choices" in fields["4"] and "max" in fields["5"]
    assert "pattern" in fields["6"] and "shown_when" in fields["7"] and "shown_when" in fields["8"]
    assert "pattern" in fields["9"]
    assert errors["approval"] == {"0": {"group": ["Choose the group that approves."]},
                                  "1": {"user": ["Choose the user who approves."]},
                                  "2": {"required": ["At least one approval must be needed."]}}
    assert not CatalogItem.objects.exists()
    response = api.post(ITEMS, {**payload(category, service, team), "tasks": [{"title": "No team"}]}, format="json")
    assert response.status_code == 400 and "team" in str(response.json()["tasks"])
    response = api.post(ITEMS, {"name": "", "fields": "nope"}, format="json")
    assert response.status_code == 400 and {"name", "category", "service", "fields"} <= set(response.json())


def test_only_managers_and_admins_write(catalogue, requester, agent_api, admin_user):
    item = catalogue["laptop"]
    for api in (client_for(requester), agent_api):
        assert api.post(ITEMS, {"name": "x"}, format="json").status_code == 403
        assert api.patch(f"{ITEMS}{item.pk}/", {"name": "x"}, format="json").status_code == 403
        assert api.delete(f"{ITEMS}{item.pk}/").status_code == 403
        assert api.post(CATEGORIES, {"name": "x"}, format="json").status_code == 403
    response = client_for(admin_user).patch(f"{ITEMS}{item.pk}/", {"active": False}, format="json")
    assert response.status_code == 200
    assert client_for(admin_user).get(ITEMS, {"active": "false"}).json()["results"][0]["name"] == "New laptop"


def test_categories_follow_the_items_one_may_see(catalogue, requester, manager_user):
    CatalogCategoryFactory(name="Empty")
    visible = names(client_for(requester).get(CATEGORIES))
    assert "Hardware" in visible and "Empty" not in visible
    assert catalogue["foreign"].category.name not in visible
    api = client_for(manager_user)
    assert "Empty" in names(api.get(CATEGORIES))
    created = api.post(CATEGORIES, {"name": "Access", "order": 2}, format="json")
    assert created.status_code == 201
    hardware = catalogue["laptop"].category
    assert api.delete(f"{CATEGORIES}{hardware.pk}/").status_code == 400
    assert api.delete(f"{CATEGORIES}{created.json()['id']}/").status_code == 204


def test_scoped_pickers(catalogue, requester, acme, other, agent_api):
    laptop = catalogue["laptop"]
    field(laptop, "for_whom", FieldType.USER)
    field(laptop, "device", FieldType.CONFIGURATION_ITEM)
    factories.requester(organization=acme, first_name="Ada")
    factories.requester(organization=other, first_name="Adam")
    CIFactory(name="ada-laptop", organization=acme)
    CIFactory(name="ada-shared", organization=None)
    CIFactory(name="ada-foreign", organization=other)
    api = client_for(requester)
    users = api.get(f"{ITEMS}{laptop.pk}/choices/user/", {"q": "ada"}).json()["results"]
    assert [row["name"] for row in users] == ["Ada Tester"] and set(users[0]) == {"id", "name"}
    cis = api.get(f"{ITEMS}{laptop.pk}/choices/configuration_item/", {"search": "ada"}).json()["results"]
    assert [row["name"] for row in cis] == ["ada-laptop", "ada-shared"]
    assert len(agent_api.get(f"{ITEMS}{laptop.pk}/choices/user/", {"q": "ada"}).json()["results"]) == 2
    assert api.get(f"{ITEMS}{catalogue['foreign'].pk}/choices/user/").status_code == 404
    assert api.get(f"{ITEMS}{catalogue['vpn'].pk}/choices/user/").status_code == 404  # no user field
    for _ in range(25):
        factories.requester(organization=acme)
    assert len(api.get(f"{ITEMS}{laptop.pk}/choices/user/").json()["results"]) == 20
    assert ItemField.objects.filter(item=laptop).count() == 3


def test_a_write_answers_with_the_expected_date_as_a_read_does(manager_user):
    api = client_for(manager_user)
    category, service, team = CatalogCategoryFactory(), factories.ServiceFactory(), factories.TeamFactory()
    TargetFactory(ticket_kind="request", service=service, target_seconds=2 * 86400)
    body = api.post(ITEMS, payload(category, service, team), format="json").json()
    assert body["expected"]["text"].startswith("Usually done within 2 days")
    patched = api.patch(f"{ITEMS}{body['id']}/", {"name": "Software"}, format="json").json()
    assert patched["expected"]["text"] == api.get(f"{ITEMS}{body['id']}/").json()["expected"]["text"]


def test_a_text_field_may_not_promise_more_than_an_answer_may_hold(manager_user):
    api = client_for(manager_user)
    category, service, team = CatalogCategoryFactory(), factories.ServiceFactory(), factories.TeamFactory()
    too_long = payload(category, service, team, fields=[{"name": "note", "label": "Note", "type": "text",
                                                         "max": 5000}])
    response = api.post(ITEMS, too_long, format="json")
    assert response.status_code == 400 and "max" in str(response.json())
