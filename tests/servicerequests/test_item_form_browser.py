"""item-form.js in a browser: fields appear and disappear as their shown-when field changes (the admin preview)."""

import pytest

from servicerequests.models import FieldType
from tests.support import factories
from tests.support.browser import login
from tests.support.catalog_factories import CatalogItemFactory, field


@pytest.mark.django_db(transaction=True)
def test_shown_when_fields_follow_the_answers_live(page, live_server):
    factories.manager(username="designer", is_staff=True)
    item = CatalogItemFactory(name="New laptop")
    field(item, "model", FieldType.CHOICE, choices=["13-inch", "15-inch"], default="13-inch", required=True)
    field(item, "dock", FieldType.CHOICE, choices=["USB-C", "None"], shown_when_field="model",
          shown_when_value="15-inch", required=True)
    field(item, "dock_note", shown_when_field="dock", shown_when_value="USB-C")
    field(item, "extras", FieldType.MULTIPLE_CHOICE, choices=["Mouse", "Bag"])
    field(item, "bag_colour", shown_when_field="extras", shown_when_value="Bag")
    login(page, live_server, "designer")
    page.goto(f"{live_server.url}/admin/servicerequests/catalogitem/{item.pk}/change/")
    dock, note, colour = page.locator("#id_preview-dock"), page.locator("#id_preview-dock_note"), \
        page.locator("#id_preview-bag_colour")
    page.wait_for_function("document.getElementById('id_preview-dock').disabled")
    assert not dock.is_visible() and not note.is_visible() and not colour.is_visible()

    page.select_option("#id_preview-model", "15-inch")
    dock.wait_for(state="visible")
    assert dock.is_enabled() and not note.is_visible()
    page.select_option("#id_preview-dock", "USB-C")
    note.wait_for(state="visible")

    page.select_option("#id_preview-model", "13-inch")  # the chain hides both
    note.wait_for(state="hidden")
    assert not dock.is_visible() and note.is_disabled()

    page.check("input[name='preview-extras'][value='Bag']")
    colour.wait_for(state="visible")
    page.uncheck("input[name='preview-extras'][value='Bag']")
    colour.wait_for(state="hidden")
