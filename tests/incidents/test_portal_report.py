"""The portal's "report a problem": urgency in plain words, a service offered to the requester's organization,
a top-level category and attachments, so portal incidents are prioritised rather than all landing at P5."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from core.models import Attachment, Channel, Impact, Priority, Urgency
from incidents.forms import ReportProblemForm, portal_impact
from incidents.models import Category, Incident
from slm.models import Service
from tests.support import factories

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def desk():
    acme, globex = factories.OrganizationFactory(name="Acme"), factories.OrganizationFactory(name="Globex")
    mail = factories.ServiceFactory(name="Mail", criticality=Service.Criticality.CRITICAL)
    wiki = factories.ServiceFactory(name="Wiki", criticality=Service.Criticality.LOW)
    lab = factories.ServiceFactory(name="Globex lab")
    mail.customers.add(acme)
    wiki.customers.add(acme)
    lab.customers.add(globex)
    hardware = Category.objects.create(name="Hardware")
    printer = Category.objects.create(name="Printer", parent=hardware)
    mei = factories.requester(username="mei", organization=acme)
    return {"mail": mail, "wiki": wiki, "lab": lab, "hardware": hardware, "printer": printer, "mei": mei}


def report(user, **data):
    data.setdefault("title", "Something is broken")
    return logged_in(user).post(reverse("incidents:report"), data)


@pytest.mark.parametrize("urgency, priority", [
    (Urgency.HIGH, Priority.MODERATE), (Urgency.MEDIUM, Priority.LOW), (Urgency.LOW, Priority.PLANNING)])
def test_urgency_in_plain_words_sets_the_priority(desk, urgency, priority):
    response = report(desk["mei"], title=f"Urgency {urgency}", urgency=urgency, service=desk["wiki"].pk)
    incident = Incident.objects.get(title=f"Urgency {urgency}")
    assert response.status_code == 302 and response["Location"] == reverse("incidents:detail", args=[incident.pk])
    assert (incident.urgency, incident.impact, incident.priority) == (urgency, Impact.LOW, priority)
    assert incident.channel == Channel.PORTAL and incident.service == desk["wiki"]


def test_a_critical_service_raises_the_impact(desk):
    report(desk["mei"], title="Mail is down for me", urgency=Urgency.HIGH, service=desk["mail"].pk,
           category=desk["hardware"].pk)
    incident = Incident.objects.get(title="Mail is down for me")
    assert (incident.impact, incident.priority, incident.category) == (Impact.MEDIUM, Priority.HIGH, desk["hardware"])
    assert portal_impact(None) == Impact.LOW and portal_impact(desk["wiki"]) == Impact.LOW


def test_title_and_description_alone_still_work_at_the_default(desk):
    response = report(desk["mei"], title="Just words", description="Nothing else")
    incident = Incident.objects.get(title="Just words")
    assert response.status_code == 302 and incident.priority == Priority.PLANNING and incident.service is None


def test_form_offers_only_my_organizations_services_and_top_level_categories(desk):
    form = ReportProblemForm(user=desk["mei"])
    assert {s.name for s in form.fields["service"].queryset} == {"Mail", "Wiki"}
    assert [c.name for c in form.fields["category"].queryset] == ["Hardware"]
    page = logged_in(desk["mei"]).get("/").content.decode()
    assert "Globex lab" not in page and "How badly is your work affected?" in page
    assert "I cannot work at all" in page


@pytest.mark.parametrize("bad", [
    {"service": "lab"}, {"category": "printer"}, {"urgency": "7"}, {"urgency": "x"}, {"service": "²"},
    {"title": ""}, {"title": "x" * 300}, {"category": str(10**30)}])
def test_bad_input_is_400_on_the_portal_with_the_error_and_creates_nothing(desk, bad):
    data = {key: (desk[value].pk if value in desk else value) for key, value in bad.items()}
    response = report(desk["mei"], description="Typed details stay", **data)
    text = response.content.decode()
    assert response.status_code == 400 and not Incident.objects.exists()
    assert 'class="error"' in text and "Typed details stay" in text
    assert 'id="report-problem" open' in text  # the panel is open on its errors, on any screen


def test_attachments_are_added_to_the_new_incident(desk):
    files = [SimpleUploadedFile("screen.png", PNG), SimpleUploadedFile("log.txt", b"error 42\n")]
    response = report(desk["mei"], title="With files", attachments=files)
    incident = Incident.objects.get(title="With files")
    assert response.status_code == 302
    rows = Attachment.objects.filter(ticket_id=incident.pk)
    assert sorted(rows.values_list("filename", flat=True)) == ["log.txt", "screen.png"]
    assert not any(rows.values_list("is_internal", flat=True)) and {a.uploaded_by for a in rows} == {desk["mei"]}


def test_a_refused_file_is_an_error_and_nothing_is_created(desk):
    files = [SimpleUploadedFile("ok.png", PNG), SimpleUploadedFile("page.html", b"<html><script>x</script></html>")]
    response = report(desk["mei"], title="Bad file", attachments=files)
    assert response.status_code == 400 and "page.html" in response.content.decode()
    assert not Incident.objects.exists() and not Attachment.objects.exists()


def test_too_many_files_are_refused(desk):
    files = [SimpleUploadedFile(f"s{n}.png", PNG) for n in range(6)]
    response = report(desk["mei"], title="Many files", attachments=files)
    assert response.status_code == 400 and "at most 5" in response.content.decode()


def test_answers_without_javascript_keep_the_choices(desk):
    response = logged_in(desk["mei"]).post(reverse("knowledge:portal-suggest"), {
        "title": "printer offline", "urgency": Urgency.HIGH, "service": desk["mail"].pk})
    text = response.content.decode()
    assert response.status_code == 200 and 'value="printer offline"' in text
    assert f'<input type="radio" name="urgency" value="{Urgency.HIGH}" id="id_urgency_0" checked>' in text
    assert f'<option value="{desk["mail"].pk}" selected>' in text
