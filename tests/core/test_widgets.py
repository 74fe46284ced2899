"""Search pickers, following selects and "Any" labels (core/widgets.py)."""

import json

import pytest
from django import forms
from django.utils.html import escape

from core.widgets import (AnyBooleanSelect, CIPickerWidget, FollowingSelect, OrganizationPickerWidget,
                          SearchPickerWidget, ServicePickerWidget, TicketPickerWidget, UserPickerWidget,
                          label_empty_choices_any)
from incidents.filters import IncidentFilter
from incidents.models import Category
from tests.support import factories
from tests.support.cmdb_factories import CIFactory
from tests.support.queries import count_queries

pytestmark = pytest.mark.django_db


def test_search_picker_renders_hidden_id_and_search_box():
    html = SearchPickerWidget(url="/api/v1/things/", fill={"id_other": "other"}).render(
        "thing", None, {"id": "id_thing"})
    assert '<input type="hidden" name="thing" id="id_thing" value="">' in html
    assert 'id="id_thing_search"' in html and "data-picker " in html
    assert 'data-picker-target="id_thing"' in html and 'data-picker-url="/api/v1/things/"' in html
    assert 'role="combobox"' in html and 'aria-controls="id_thing_results"' in html
    assert escape(json.dumps({"id_other": "other"})) in html or json.dumps({"id_other": "other"}) in html
    assert SearchPickerWidget().id_for_label("id_thing") == "id_thing_search"


def test_user_picker_shows_the_chosen_user_and_fills_the_organization():
    user = factories.requester(username="ann", first_name="Ann", last_name="Lee")
    widget = UserPickerWidget(fill={"id_organization": "organization"})
    html = widget.render("requester", user.pk, {"id": "id_requester"})
    assert f'value="{user.pk}"' in html and 'value="Ann Lee"' in html
    assert 'data-picker-url="/api/v1/users/"' in html
    assert 'data-picker-detail="email organization_name"' in html
    assert "id_organization" in html
    assert count_queries(lambda: widget.render("requester", user.pk, {"id": "id_requester"})) == 1
    assert count_queries(lambda: widget.render("requester", "", {"id": "id_requester"})) == 0
    assert 'value=""' in widget.render("requester", "not-a-number", {"id": "id_requester"})


def test_ci_service_organization_and_ticket_pickers_label_their_values():
    service = factories.ServiceFactory(name="Printing")
    ci = CIFactory(name="prn-hq-floor3", service=service)
    org = factories.OrganizationFactory(name="Acme")
    incident = factories.incident(title="Parent")
    ci_html = CIPickerWidget().render("configuration_item", ci.pk, {"id": "id_configuration_item"})
    assert 'value="prn-hq-floor3"' in ci_html and "id_service" in ci_html and "class_label" in ci_html
    assert "data-picker-fill" not in CIPickerWidget(service_target=None).render("ci", ci.pk, {"id": "id_ci"})
    assert 'value="Printing"' in ServicePickerWidget().render("service", service.pk, {"id": "id_service"})
    assert 'value="Acme"' in OrganizationPickerWidget().render("organization", org.pk, {"id": "id_org"})
    ticket_html = TicketPickerWidget().render("parent", incident.pk, {"id": "id_parent"})
    assert f'value="{incident.number}"' in ticket_html and 'data-picker-param="q"' in ticket_html
    assert 'data-picker-url="/api/v1/incidents/"' in ticket_html


def test_following_select_marks_each_option_with_its_parent():
    hardware = Category.objects.create(name="Hardware")
    software = Category.objects.create(name="Software")
    printer = Category.objects.create(name="Printer", parent=hardware)
    mail = Category.objects.create(name="Mail", parent=software)

    class Form(forms.Form):
        subcategory = forms.ModelChoiceField(Category.objects.filter(parent__isnull=False),
                                             widget=FollowingSelect(follows="id_category"))

    html = str(Form()["subcategory"])
    assert 'data-follows="id_category"' in html
    assert f'value="{printer.pk}" data-parent="{hardware.pk}"' in html
    assert f'value="{mail.pk}" data-parent="{software.pk}"' in html


def test_any_boolean_select_reads_any_yes_no():
    html = AnyBooleanSelect().render("open", None)
    assert '<option value="" selected>Any</option>' in html
    assert '<option value="true">Yes</option>' in html and '<option value="false">No</option>' in html
    assert '<option value="true" selected>' in AnyBooleanSelect().render("open", True)
    assert '<option value="false" selected>' in AnyBooleanSelect().render("open", "false")


def test_filter_forms_say_any_instead_of_unknown_or_dashes():
    factories.OrganizationFactory(name="Acme")
    form = label_empty_choices_any(IncidentFilter({}).form)
    for name in ("open", "is_major", "sla_breached"):
        assert isinstance(form.fields[name].widget, AnyBooleanSelect)
        assert list(form.fields[name].widget.choices)[0] == ("", "Any")
    for name in ("impact", "urgency", "channel", "category", "organization"):
        assert str(list(form.fields[name].widget.choices)[0][1]) == "Any", name
    bound = label_empty_choices_any(IncidentFilter({"is_major": "true"}).form)
    assert bound.is_valid() and bound.cleaned_data["is_major"] is True
