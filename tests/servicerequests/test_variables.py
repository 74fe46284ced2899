"""The item form's server-side validation (servicerequests.variables), shared by every channel."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from servicerequests.models import FieldType
from servicerequests.variables import ALL, VariablesError, validate_variables, visible_fields
from tests.support import factories
from tests.support.catalog_factories import CatalogItemFactory, field
from tests.support.cmdb_factories import CIFactory

pytestmark = pytest.mark.django_db


def errors_of(item, variables, user=None, files=None):
    with pytest.raises(VariablesError) as caught:
        validate_variables(item, variables, user, files=files)
    return caught.value.errors


@pytest.fixture
def item():
    return CatalogItemFactory()


def test_text_bounds_pattern_and_nul(item):
    field(item, "code", min_value=Decimal(3), max_value=Decimal(6), pattern=r"[A-Z]+[0-9]*")
    assert validate_variables(item, {"code": "  AB12 "}, None) == {"code": "AB12"}
    assert "at least 3" in errors_of(item, {"code": "AB"})["code"][0]
    assert "at most 6" in errors_of(item, {"code": "ABCDEFG"})["code"][0]
    assert errors_of(item, {"code": "ab12"})["code"] == ["Enter a value in the expected format."]
    assert errors_of(item, {"code": "AB\x00C"})["code"] == ["Null characters are not allowed."]
    assert errors_of(item, {"code": ["AB"]})["code"] == ["Enter text."]


def test_long_text_bounds(item):
    field(item, "why", FieldType.LONG_TEXT, max_value=Decimal(10))
    assert validate_variables(item, {"why": "line\nnext"}, None) == {"why": "line\nnext"}
    assert errors_of(item, {"why": "x" * 11})["why"]


def test_number_parsing_bounds_and_storage(item):
    field(item, "qty", FieldType.NUMBER, min_value=Decimal(1), max_value=Decimal("10.5"))
    assert validate_variables(item, {"qty": "3"}, None) == {"qty": 3}
    assert validate_variables(item, {"qty": "2.50"}, None) == {"qty": 2.5}
    assert validate_variables(item, {"qty": 4}, None) == {"qty": 4}
    assert validate_variables(item, {"qty": 4.0}, None) == {"qty": 4}
    assert "at least 1" in errors_of(item, {"qty": "0"})["qty"][0]
    assert "at most 10.5" in errors_of(item, {"qty": 11})["qty"][0]
    for bad in ("ten", "1e3", "\u0663", True, "NaN", float("inf"), [1], "1" * 20):
        assert errors_of(item, {"qty": bad})["qty"] == ["Enter a number."], bad


def test_choice_and_multiple_choice(item):
    field(item, "size", FieldType.CHOICE, choices=["S", "M", "L"])
    field(item, "extras", FieldType.MULTIPLE_CHOICE, choices=["Mouse", "Bag", "Dock"])
    cleaned = validate_variables(item, {"size": "M", "extras": ["Dock", "Mouse"]}, None)
    assert cleaned == {"size": "M", "extras": ["Mouse", "Dock"]}
    assert validate_variables(item, {"extras": "Bag"}, None) == {"extras": ["Bag"]}
    assert errors_of(item, {"size": "XL"})["size"] == ["Choose one of the options."]
    assert errors_of(item, {"extras": ["Bag", "Car"]})["extras"] == ["Choose from the options."]
    assert errors_of(item, {"extras": ["Bag", "Bag"]})["extras"] == ["Choose each option at most once."]
    assert errors_of(item, {"extras": {"Bag": 1}})["extras"]


def test_date_is_iso(item):
    field(item, "start", FieldType.DATE)
    assert validate_variables(item, {"start": "2026-12-03"}, None) == {"start": "2026-12-03"}
    for bad in ("03/12/2026", "2026-02-30", "20261203", 20261203):
        assert errors_of(item, {"start": bad})["start"] == ["Enter a date as YYYY-MM-DD."], bad


def test_user_field_scoped_to_the_requesters_organization(item):
    field(item, "for_whom", FieldType.USER)
    acme, other = factories.OrganizationFactory(name="Acme"), factories.OrganizationFactory(name="Other")
    requester = factories.requester(organization=acme)
    colleague = factories.requester(organization=acme)
    stranger = factories.requester(organization=other)
    gone = factories.requester(organization=acme, is_active=False)
    assert validate_variables(item, {"for_whom": str(colleague.pk)}, requester) == {"for_whom": colleague.pk}
    assert errors_of(item, {"for_whom": stranger.pk}, requester)["for_whom"] == ["Unknown user."]
    assert errors_of(item, {"for_whom": gone.pk}, requester)["for_whom"] == ["Unknown user."]
    assert errors_of(item, {"for_whom": "\u00b2"}, requester)["for_whom"] == ["Unknown user."]
    assert validate_variables(item, {"for_whom": stranger.pk}, factories.agent()) == {"for_whom": stranger.pk}


def test_configuration_item_field_mirrors_the_ticket_rule(item):
    field(item, "device", FieldType.CONFIGURATION_ITEM)
    acme, other = factories.OrganizationFactory(name="Acme"), factories.OrganizationFactory(name="Other")
    requester = factories.requester(organization=acme)
    own, shared, foreign = CIFactory(organization=acme), CIFactory(organization=None), CIFactory(organization=other)
    assert validate_variables(item, {"device": own.pk}, requester) == {"device": own.pk}
    assert validate_variables(item, {"device": str(shared.pk)}, requester) == {"device": shared.pk}
    assert errors_of(item, {"device": foreign.pk}, requester)["device"] == ["Unknown configuration item."]
    assert errors_of(item, {"device": 10**12}, requester)["device"] == ["Unknown configuration item."]
    assert validate_variables(item, {"device": foreign.pk}, factories.agent()) == {"device": foreign.pk}


def test_attachment_checked_and_named(item):
    field(item, "quote", FieldType.ATTACHMENT, required=True)
    upload = SimpleUploadedFile("dir/quote.txt", b"Quote: 3 laptops", content_type="text/plain")
    assert validate_variables(item, {}, None, files={"quote": upload}) == {"quote": "quote.txt"}
    page = SimpleUploadedFile("quote.html", b"<html><script>x</script></html>", content_type="text/html")
    assert errors_of(item, {}, None, files={"quote": page})["quote"]
    assert errors_of(item, {})["quote"] == ["This field is required."]
    assert "file name alone" in errors_of(item, {"quote": "quote.txt"})["quote"][0]
    other = SimpleUploadedFile("x.txt", b"x", content_type="text/plain")
    assert errors_of(item, {}, None, files={"quote": upload, "nope": other})["nope"] == ["Unknown field."]


def test_shown_when_required_only_when_visible_and_hidden_values_dropped(item):
    field(item, "kind", FieldType.CHOICE, choices=["Laptop", "Phone"], required=True)
    field(item, "os", FieldType.CHOICE, choices=["Windows", "Linux"], required=True,
          shown_when_field="kind", shown_when_value="Laptop")
    field(item, "distro", required=True, shown_when_field="os", shown_when_value="Linux")
    assert validate_variables(item, {"kind": "Phone", "os": "Windows", "distro": "x"}, None) == {"kind": "Phone"}
    assert errors_of(item, {"kind": "Laptop"}) == {"os": ["This field is required."]}
    assert errors_of(item, {"kind": "Laptop", "os": "Linux"}) == {"distro": ["This field is required."]}
    # A chain: distro is shown only when os (itself hidden for a phone) is Linux.
    assert validate_variables(item, {"kind": "Phone", "os": "Linux", "distro": "Debian"}, None) == {"kind": "Phone"}
    assert validate_variables(item, {"kind": "Laptop", "os": "Linux", "distro": "Debian"}, None) == {
        "kind": "Laptop", "os": "Linux", "distro": "Debian"}
    # A hidden field's bad value is dropped without a word.
    assert validate_variables(item, {"kind": "Phone", "os": "BeOS"}, None) == {"kind": "Phone"}


def test_shown_when_on_a_multiple_choice_and_a_number(item):
    field(item, "apps", FieldType.MULTIPLE_CHOICE, choices=["Office", "CAD"])
    field(item, "cad_seat", shown_when_field="apps", shown_when_value="CAD", required=True)
    field(item, "count", FieldType.NUMBER)
    field(item, "reason", shown_when_field="count", shown_when_value="3", required=True)
    assert errors_of(item, {"apps": ["Office", "CAD"], "count": "3.0"}) == {
        "cad_seat": ["This field is required."], "reason": ["This field is required."]}
    assert validate_variables(item, {"apps": ["Office"], "cad_seat": "x", "count": 2}, None) == {
        "apps": ["Office"], "count": 2}


def test_visible_fields_follows_raw_answers(item):
    field(item, "kind", FieldType.CHOICE, choices=["Laptop", "Phone"])
    field(item, "os", FieldType.CHOICE, choices=["Windows", "Linux"], shown_when_field="kind",
          shown_when_value="Laptop")
    field(item, "distro", shown_when_field="os", shown_when_value="Linux")
    names = lambda variables: [f.name for f in visible_fields(item, variables)]  # noqa: E731
    assert names({}) == ["kind"]
    assert names({"kind": "Laptop", "os": "Linux"}) == ["kind", "os", "distro"]
    assert names({"kind": "Phone", "os": "Linux"}) == ["kind"]
    assert names("not a dict") == ["kind"]


def test_defaults_fill_absent_fields_only(item):
    field(item, "qty", FieldType.NUMBER, default="1")
    field(item, "extras", FieldType.MULTIPLE_CHOICE, choices=["Mouse", "Bag", "Dock"], default="Mouse, Bag")
    field(item, "note", default="none")
    assert validate_variables(item, {}, None) == {"qty": 1, "extras": ["Mouse", "Bag"], "note": "none"}
    assert validate_variables(item, {"qty": "", "extras": [], "note": None}, None) == {}


def test_unknown_names_and_bad_shapes(item):
    field(item, "name")
    assert errors_of(item, {"name": "x", "nme": "y"}) == {"nme": ["Unknown field."]}
    assert ALL in errors_of(item, ["name"])
    assert ALL in errors_of(item, "name=x")
    assert validate_variables(item, None, None) == {}
