"""The catalogue's admin screens: a manager designs an item's form; bad rows are form errors, never 500s."""

import pytest

from servicerequests.models import CatalogItem, FieldType
from tests.support import factories
from tests.support.catalog_factories import (ApprovalStepFactory, CatalogCategoryFactory, CatalogItemFactory,
                                             TaskTemplateFactory, field)
from tests.support.slm_factories import TargetFactory

pytestmark = pytest.mark.django_db
ADD = "/admin/servicerequests/catalogitem/add/"
PREFIXES = ("fields", "approval_steps", "task_templates")


def change_url(item):
    return f"/admin/servicerequests/catalogitem/{item.pk}/change/"


@pytest.fixture
def manager_client(client):
    client.force_login(factories.manager(username="catalogue-manager", is_staff=True))
    client.raise_request_exception = True
    return client


def management(prefix, rows, initial=0):
    return {f"{prefix}-TOTAL_FORMS": str(rows), f"{prefix}-INITIAL_FORMS": str(initial),
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}


def rows(prefix, items):
    data = {}
    for index, row in enumerate(items):
        data.update({f"{prefix}-{index}-{key}": value for key, value in row.items()})
    return data


def item_post(category, service, fields=(), steps=(), tasks=(), **extra):
    data = {"name": "New laptop", "summary": "A laptop for work", "description": "", "category": category.pk,
            "icon": "laptop", "request_type": "provision", "order": "100", "active": "on", "service": service.pk,
            "team": "", "needs_approval": "on", **extra}
    for prefix, given in zip(PREFIXES, (fields, steps, tasks)):
        data.update(management(prefix, len(given)))
        data.update(rows(prefix, given))
    return data


def form_field(order, name, type="text", **extra):
    return {"order": str(order), "name": name, "label": name.capitalize(), "type": type, "choices": "",
            "min_value": "", "max_value": "", "pattern": "", "shown_when_field": "", "shown_when_value": "",
            "default": "", "help_text": "", **extra}


def test_a_manager_adds_an_item_with_its_form_and_plan(manager_client):
    category, service, team = CatalogCategoryFactory(), factories.ServiceFactory(), factories.TeamFactory()
    data = item_post(category, service, fields=[
        form_field(1, "model", "choice", choices="13-inch\n15-inch", required="on", default="13-inch"),
        form_field(2, "dock", "text", shown_when_field="model", shown_when_value="15-inch"),
        form_field(3, "qty", "number", min_value="1", max_value="3"),
    ], steps=[{"order": "1", "approver": "manager", "group": "", "user": "", "rule": "any", "required": "1"}],
        tasks=[{"stage": "1", "title": "Prepare the laptop", "team": team.pk, "instructions": ""}])
    response = manager_client.post(ADD, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    item = CatalogItem.objects.get(name="New laptop")
    assert [(f.name, f.choices) for f in item.fields.all()] == [("model", ["13-inch", "15-inch"]), ("dock", []),
                                                                 ("qty", [])]
    assert item.approval_steps.get().approver == "manager"
    assert item.task_templates.get().team == team


def test_bad_rows_are_shown_as_errors(manager_client):
    category, service = CatalogCategoryFactory(), factories.ServiceFactory()
    data = item_post(category, service, fields=[
        form_field(1, "size", "choice"),
        form_field(2, "code", "text", pattern="([a-z"),
        form_field(3, "early", "text", shown_when_field="later", shown_when_value="x"),
        form_field(4, "later", "number", min_value="5", max_value="2"),
        form_field(5, "size", "text"),
    ], steps=[{"order": "1", "approver": "group", "group": "", "user": "", "rule": "n_of_m", "required": "0"}],
        tasks=[{"stage": "0", "title": "Prepare", "team": "", "instructions": ""}])
    response = manager_client.post(ADD, data)
    assert response.status_code == 200
    page = response.content.decode()
    for message in ("A choice field needs at least one option.", "This is not a valid regular expression",
                    "Name a field that comes before this one.", "The maximum must not be less than the minimum.",
                    "Choose the group that approves.", "At least one approval must be needed.",
                    "Stages start at 1."):
        assert message in page, message
    assert not CatalogItem.objects.exists()


def test_the_change_page_previews_the_form_and_keeps_fields_by_name(manager_client):
    item = CatalogItemFactory(name="VPN access")
    model = field(item, "model", FieldType.CHOICE, choices=["A", "B"], required=True)
    field(item, "why", FieldType.LONG_TEXT, shown_when_field="model", shown_when_value="B")
    step = ApprovalStepFactory(item=item)
    TargetFactory(ticket_kind="request", service=item.service, target_seconds=3 * 3600)
    page = manager_client.get(change_url(item)).content.decode()
    assert 'name="preview-model"' in page and "data-shown-when" in page and "js/item-form.js" in page
    assert "Usually done within 3 hours" in page

    task = TaskTemplateFactory(item=item)
    fields = [form_field(1, "model", "choice", choices="A\nB\nC", required="on", id=str(model.pk), item=item.pk),
              form_field(2, "why", "long_text", id=str(item.fields.get(name="why").pk), item=item.pk,
                         shown_when_field="model", shown_when_value="B", DELETE="on")]
    data = item_post(item.category, item.service, name="VPN access")
    data.update(management("fields", 2, initial=2))
    data.update(rows("fields", fields))
    data.update(management("approval_steps", 1, initial=1))
    data.update(rows("approval_steps", [{"id": step.pk, "item": item.pk, "order": "1", "approver": "manager",
                                         "group": "", "user": "", "rule": "any", "required": "1"}]))
    data.update(management("task_templates", 1, initial=1))
    data.update(rows("task_templates", [{"id": task.pk, "item": item.pk, "stage": "2", "title": task.title,
                                         "team": task.team_id, "instructions": ""}]))
    response = manager_client.post(change_url(item), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert list(item.fields.values_list("pk", "name", "choices")) == [(model.pk, "model", ["A", "B", "C"])]
    assert list(item.task_templates.values_list("pk", "stage")) == [(task.pk, 2)]


def test_agents_may_look_but_not_change(client):
    item = CatalogItemFactory()
    client.force_login(factories.agent(is_staff=True))
    assert client.get(ADD).status_code == 403
    assert client.get(change_url(item)).status_code == 200
    assert client.post(change_url(item), {}).status_code == 403


def test_categories(manager_client):
    response = manager_client.post("/admin/servicerequests/catalogcategory/add/",
                                   {"name": "Hardware", "description": "", "order": "1"})
    assert response.status_code == 302
    assert manager_client.get("/admin/servicerequests/catalogcategory/").status_code == 200
