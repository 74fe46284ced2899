"""Forms built from a catalogue item: widgets, defaults, shown-when markup, and one validator with the API."""

import json
from decimal import Decimal

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string

from core.widgets import CIPickerWidget, UserPickerWidget
from servicerequests.item_forms import item_form_class
from servicerequests.models import FieldType
from tests.support import factories
from tests.support.catalog_factories import CatalogItemFactory, field
from tests.support.cmdb_factories import CIFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme():
    return factories.OrganizationFactory(name="Acme")


@pytest.fixture
def requester(acme):
    return factories.requester(organization=acme)


@pytest.fixture
def laptop():
    item = CatalogItemFactory(name="New laptop")
    field(item, "model", FieldType.CHOICE, label="Model", choices=["13-inch", "15-inch"], required=True,
          help_text="Pick the size", default="13-inch")
    field(item, "extras", FieldType.MULTIPLE_CHOICE, choices=["Mouse", "Dock"])
    field(item, "dock_kind", label="Dock kind", required=True, shown_when_field="extras", shown_when_value="Dock")
    field(item, "qty", FieldType.NUMBER, min_value=Decimal(1), max_value=Decimal(5), default="1")
    field(item, "why", FieldType.LONG_TEXT)
    field(item, "needed_by", FieldType.DATE)
    field(item, "user", FieldType.USER, label="For whom")
    field(item, "item", FieldType.CONFIGURATION_ITEM, label="Replaces")
    field(item, "quote", FieldType.ATTACHMENT)
    return item


def render(form):
    return render_to_string("components/form_fields.html", {"form": form})


def test_one_field_per_item_field_with_its_widget(laptop, requester):
    form = item_form_class(laptop, requester)()
    widgets = {name: type(bound.field.widget) for name, bound in ((n, form[n]) for n in form.fields)}
    assert list(form.fields) == ["model", "extras", "dock_kind", "qty", "why", "needed_by", "user", "item", "quote"]
    assert widgets["model"] is forms.Select and widgets["extras"] is forms.CheckboxSelectMultiple
    assert widgets["why"] is forms.Textarea and widgets["qty"] is forms.NumberInput
    assert widgets["needed_by"] is forms.DateInput and form.fields["needed_by"].widget.input_type == "date"
    assert issubclass(widgets["user"], UserPickerWidget) and issubclass(widgets["item"], CIPickerWidget)
    assert issubclass(widgets["quote"], forms.FileInput)
    assert form.fields["model"].initial == "13-inch" and form.fields["model"].help_text == "Pick the size"
    assert form.fields["qty"].widget.attrs["min"] == "1" and form.fields["qty"].widget.attrs["max"] == "5"
    assert "js/item-form.js" in str(form.media)


def test_shown_when_markup_and_html_required_only_when_unconditional(laptop, requester):
    form = item_form_class(laptop, requester)()
    html = render(form)
    assert json.loads(form.fields["dock_kind"].widget.attrs["data-shown-when"]) == {"field": "extras", "value": "Dock"}
    assert 'data-shown-when="{&quot;field&quot;: &quot;extras&quot;' in html
    assert " required" in str(form["model"])
    assert " required" not in str(form["dock_kind"])
    assert form.fields["dock_kind"].required  # still marked required (shown with an asterisk)


def test_valid_post_gives_the_cleaned_variables_and_uploads(laptop, requester, acme):
    colleague = factories.requester(organization=acme)
    device = CIFactory(organization=acme)
    upload = SimpleUploadedFile("quote.txt", b"3 laptops", content_type="text/plain")
    form = item_form_class(laptop, requester)(
        data={"model": "15-inch", "extras": ["Dock"], "dock_kind": "USB-C", "qty": "2", "why": "",
              "needed_by": "2026-12-03", "user": str(colleague.pk), "item": str(device.pk)},
        files={"quote": upload})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"model": "15-inch", "extras": ["Dock"], "dock_kind": "USB-C", "qty": 2,
                                 "needed_by": "2026-12-03", "user": colleague.pk, "item": device.pk,
                                 "quote": "quote.txt"}
    assert form.uploads == {"quote": upload}


def test_errors_land_on_their_fields_and_hidden_answers_are_dropped(laptop, requester):
    stranger = factories.requester(organization=factories.OrganizationFactory(name="Other"))
    form = item_form_class(laptop, requester)(data={
        "model": "", "extras": ["Dock"], "qty": "9", "user": str(stranger.pk)})
    assert not form.is_valid()
    assert form.errors["model"] == ["This field is required."]
    assert form.errors["dock_kind"] == ["This field is required."]
    assert form.errors["qty"] == ["Enter a number of at most 5."]
    assert form.errors["user"] == ["Unknown user."]
    form = item_form_class(laptop, requester)(data={"model": "13-inch", "dock_kind": "ignored", "qty": "1"})
    assert form.is_valid(), form.errors
    assert "dock_kind" not in form.cleaned_data


def test_requester_pickers_search_only_through_the_item(laptop, requester):
    stranger = factories.requester(organization=factories.OrganizationFactory(name="Other"), first_name="Zelda")
    form = item_form_class(laptop, requester)(data={"model": "13-inch", "user": str(stranger.pk)})
    form.is_valid()
    html = str(form["user"])
    assert f"/api/v1/catalog-items/{laptop.pk}/choices/user/" in html
    assert "Zelda" not in html  # the chosen id of another organization is not named back
    assert f"/api/v1/catalog-items/{laptop.pk}/choices/configuration_item/" in str(form["item"])
    agent_form = item_form_class(laptop, factories.agent())()
    assert "/api/v1/users/" in str(agent_form["user"]) and "/api/v1/cis/" in str(agent_form["item"])


def test_a_defaulted_field_left_out_of_the_post_takes_its_default(laptop, requester):
    form = item_form_class(laptop, requester)(data={"model": "13-inch"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"model": "13-inch", "qty": 1}
