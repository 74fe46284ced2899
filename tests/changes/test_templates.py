"""Standard change templates: lifecycle, procedure edits, refusals, one-step raise (API and page), success rate,
review flag and permissions."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from changes import template_review, templates
from core.approval_models import ApprovalStage
from changes.models import Change, ChangeTemplate, TemplateEvent
from core.services import PermissionDeniedError
from tests.support import change_factories as cf
from tests.support import factories
from tests.support.cmdb_factories import CIClassFactory, CIFactory
from tests.support.queries import count_queries

pytestmark = pytest.mark.django_db
State = ChangeTemplate.State
Action = TemplateEvent.Action

PAYLOAD = {"name": "Add a user to a shared mailbox", "description": "Grant access to a team mailbox",
           "implementation_plan": "Add the user to the mailbox group", "backout_plan": "Remove them again",
           "risk_level": 1, "risk_assessment": "Low: one mailbox", "duration_minutes": 10}


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def authority():
    return cf.change_authority(username="cab-chair")


@pytest.fixture
def spooler():
    return cf.template(review_date=timezone.localdate() + timedelta(days=30))


# --- lifecycle -----------------------------------------------------------------------------------------------

def test_lifecycle_proposed_authorised_published_retired_with_history(authority):
    manager = factories.manager()
    template = templates.save_template(manager, dict(PAYLOAD))
    assert template.state == State.PROPOSED and template.owner == manager
    assert templates.unusable_reason(template, timezone.localdate())
    template = templates.authorise(template, authority)
    assert template.state == State.AUTHORISED and template.authorised_by == authority
    assert template.authorised_at is not None
    assert template.review_date == timezone.localdate() + timedelta(days=365)
    template = templates.publish(template, manager)
    assert template.state == State.PUBLISHED and templates.unusable_reason(template, timezone.localdate()) == ""
    template = templates.retire(template, manager)
    assert template.state == State.RETIRED
    events = list(template.events.order_by("id").values_list("action", "actor_id"))
    assert events == [(Action.CREATED, manager.pk), (Action.AUTHORISED, authority.pk),
                      (Action.PUBLISHED, manager.pk), (Action.RETIRED, manager.pk)]
    authorised = template.events.get(action=Action.AUTHORISED)
    assert authorised.changes["state"] == ["proposed", "authorised"]
    assert authorised.changes["review_date"][1] == template.review_date.isoformat()


def test_authorising_needs_a_future_review_date_and_only_proposed_templates_are_published(authority):
    template = cf.template(state="proposed")
    with pytest.raises(Exception) as refused:
        templates.authorise(template, authority, timezone.localdate())
    assert "review_date" in refused.value.message_dict
    with pytest.raises(Exception) as refused:
        templates.publish(template, authority)
    assert "state" in refused.value.message_dict
    date = timezone.localdate() + timedelta(days=90)
    template = templates.authorise(template, authority, date)
    assert template.review_date == date


def test_reviewing_a_lapsed_published_template_renews_it(authority):
    template = cf.template(review_date=timezone.localdate() - timedelta(days=1))
    assert "lapsed" in templates.unusable_reason(template, timezone.localdate())
    template = templates.authorise(template, authority, timezone.localdate() + timedelta(days=180))
    assert template.state == State.PUBLISHED
    assert templates.unusable_reason(template, timezone.localdate()) == ""
    assert template.events.get().action == Action.REVIEWED


@pytest.mark.parametrize("field, value", [
    ("implementation_plan", "Restart the spooler and clear the queue"),
    ("backout_plan", "Reboot the print server"),
    ("risk_level", 2),
    ("risk_assessment", "Medium after all"),
    ("duration_minutes", 45),
    ("ci_classes", "class"),
    ("configuration_items", "ci"),
])
def test_editing_the_procedure_of_a_published_template_sends_it_back_to_proposed(field, value, authority):
    template = templates.authorise(cf.template(state="proposed"), authority)
    template = templates.publish(template, authority)
    value = {"class": lambda: [CIClassFactory(name="printer")], "ci": lambda: [CIFactory(name="print-01")]}.get(
        value, lambda: value)()
    template = templates.save_template(factories.manager(), {field: value}, template)
    assert template.state == State.PROPOSED
    assert template.authorised_by is None and template.authorised_at is None
    assert "not published" in templates.unusable_reason(template, timezone.localdate())
    reproposed = template.events.get(action=Action.REPROPOSED)
    assert reproposed.changes == {"state": ["published", "proposed"]}
    assert field in template.events.get(action=Action.UPDATED).changes


def test_editing_the_description_or_owner_keeps_the_authorisation(spooler):
    manager = factories.manager()
    template = templates.save_template(manager, {"description": "For the 3rd floor", "owner": manager}, spooler)
    assert template.state == State.PUBLISHED
    assert set(template.events.get().changes) == {"description", "owner"}
    assert templates.save_template(manager, {"description": "For the 3rd floor"}, template).events.count() == 1


def test_a_retired_template_cannot_be_edited_or_authorised(authority):
    template = cf.template(state="retired")
    with pytest.raises(Exception) as refused:
        templates.save_template(authority, {"description": "again"}, template)
    assert refused.value.messages
    with pytest.raises(Exception):
        templates.authorise(template, authority)


def test_only_managers_and_the_change_authority_manage_templates(spooler):
    agent = factories.agent()
    for write in (lambda: templates.save_template(agent, dict(PAYLOAD)),
                  lambda: templates.authorise(cf.template(name="Other", state="proposed"), agent),
                  lambda: templates.retire(spooler, agent)):
        with pytest.raises(PermissionDeniedError):
            write()
    assert templates.authorise(cf.template(name="By a manager", state="proposed"), factories.manager())


# --- raising a standard change ------------------------------------------------------------------------------

def test_raise_through_the_api_is_one_step(spooler, api_as):
    printers = CIClassFactory(name="printer")
    printer, server = CIFactory(name="printer-3f", ci_class=printers), CIFactory(name="print-srv")
    spooler.ci_classes.add(printers)
    spooler.configuration_items.add(server)
    agent = factories.agent()
    start = timezone.now().replace(microsecond=0) + timedelta(hours=2)
    response = api_as(agent).post(f"/api/v1/change-templates/{spooler.pk}/raise/", {
        "planned_start": start.isoformat(), "configuration_items": [printer.pk], "title": "Spooler on floor 3"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"].startswith("CHG") and body["state"] == "scheduled" and body["type"] == "standard"
    assert body["template"] == spooler.pk and body["title"] == "Spooler on floor 3"
    assert body["configuration_items"] == [printer.pk] and body["authorised_at"]
    change = Change.objects.get(pk=body["id"])
    assert change.planned_start == start and change.planned_end == start + timedelta(minutes=15)
    assert change.implementation_plan == spooler.implementation_plan
    assert not ApprovalStage.objects.filter(ticket=change).exists()  # no approval
    default = api_as(agent).post(f"/api/v1/change-templates/{spooler.pk}/raise/", {}).json()
    assert default["configuration_items"] == [server.pk] and default["title"] == spooler.name


def test_raising_refuses_cis_outside_the_templates_classes(spooler, api_as):
    spooler.ci_classes.add(CIClassFactory(name="printer"))
    stranger = CIFactory(name="core-switch")
    response = api_as(factories.agent()).post(f"/api/v1/change-templates/{spooler.pk}/raise/",
                                              {"configuration_items": [stranger.pk]})
    assert response.status_code == 400 and "core-switch" in response.json()["configuration_items"][0]
    assert not Change.objects.exists()


@pytest.mark.parametrize("state, review_days, words", [
    ("retired", 30, "retired"), ("proposed", 30, "not published"), ("authorised", 30, "not published"),
    ("published", -1, "lapsed"),
])
def test_refusals_via_the_api(state, review_days, words, api_as):
    template = cf.template(state=state, review_date=timezone.localdate() + timedelta(days=review_days))
    api = api_as(factories.agent())
    for response in (api.post(f"/api/v1/change-templates/{template.pk}/raise/", {}),
                     api.post("/api/v1/changes/", {"type": "standard", "template": template.pk, "title": "x"})):
        assert response.status_code == 400, response.content
        assert words in response.json()["template"][0]
    assert not Change.objects.exists()


def test_post_changes_with_a_published_template_raises_it_scheduled(spooler, api_as):
    response = api_as(factories.agent()).post("/api/v1/changes/", {"type": "standard", "template": spooler.pk,
                                                                   "title": "Spooler, floor 3"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["state"], body["type"], body["template"], body["title"]) == (
        "scheduled", "standard", spooler.pk, "Spooler, floor 3")
    assert body["implementation_plan"] == spooler.implementation_plan and body["planned_end"]


@pytest.mark.parametrize("state, review_days, words", [
    ("retired", 30, "retired"), ("proposed", 30, "not published"), ("published", -3, "lapsed"),
])
def test_refusals_via_the_page(state, review_days, words, client):
    template = cf.template(state=state, review_date=timezone.localdate() + timedelta(days=review_days))
    login(client, factories.agent())
    page = client.get(reverse("change_templates:detail", args=[template.pk]))
    assert page.status_code == 200 and words in page.content.decode()
    assert 'id="raise-submit"' not in page.content.decode()
    response = client.post(reverse("change_templates:raise", args=[template.pk]),
                           {"title": "x", "planned_start": "2030-01-05T22:00"})
    assert response.status_code == 400 and words in response.content.decode()
    assert not Change.objects.exists()


def test_raise_via_the_page_is_one_step(spooler, client):
    printers = CIClassFactory(name="printer")
    CIFactory(name="printer-3f", ci_class=printers)
    spooler.ci_classes.add(printers)
    login(client, factories.agent())
    page = client.get(reverse("change_templates:detail", args=[spooler.pk])).content.decode()
    assert 'id="raise-submit"' in page and f'value="{spooler.name}"' in page and "Printer" in page
    response = client.post(reverse("change_templates:raise", args=[spooler.pk]), {
        "title": "Spooler, floor 3", "planned_start": "2030-01-05T22:00", "configuration_items": "printer-3f"})
    change = Change.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("changes:detail", args=[change.pk])
    assert (change.state, change.change_type, change.template_id, change.title) == (
        "scheduled", "standard", spooler.pk, "Spooler, floor 3")
    assert list(change.configuration_items.values_list("name", flat=True)) == ["printer-3f"]
    bad = client.post(reverse("change_templates:raise", args=[spooler.pk]), {
        "title": "x", "planned_start": "2030-01-05T22:00", "configuration_items": "core-switch"})
    assert bad.status_code == 400 and "core-switch" in bad.content.decode()


# --- success rate and the review flag ------------------------------------------------------------------------

def test_success_rate_counts_outcomes_and_incidents(spooler):
    assert template_review.success_rate(spooler) == {"total": 0, "successful": 0, "failed": 0, "caused_incidents": 0,
                                               "bad": 0, "rate": None}
    cf.completed_change(spooler, "successful")
    cf.completed_change(spooler, "successful_with_issues")
    cf.caused_incident(cf.completed_change(spooler, "successful"))
    cf.completed_change(spooler, "backed_out")
    templates.raise_standard_change(spooler, factories.agent())  # not completed: not counted
    rate = template_review.success_rate(spooler)
    assert rate == {"total": 4, "successful": 3, "failed": 1, "caused_incidents": 1, "bad": 2, "rate": 50.0}


def test_a_failing_template_is_flagged_when_the_outcome_is_recorded(spooler):
    spooler.failure_threshold = 30
    spooler.save()
    cf.completed_change(spooler, "successful")
    cf.completed_change(spooler, "failed")
    spooler.refresh_from_db()
    assert not spooler.flagged_for_review  # fewer than 3 changes
    cf.completed_change(spooler, "successful")  # 1 of 3 = 33% > 30%
    spooler.refresh_from_db()
    assert spooler.flagged_for_review
    flagged = spooler.events.get(action=Action.FLAGGED)
    assert "1 of 3" in flagged.note


def test_the_daily_task_flags_incidents_and_clears_flags(spooler):
    from changes.tasks import refresh_template_review_flags

    changes = [cf.completed_change(spooler, "successful") for _ in range(3)]
    spooler.refresh_from_db()
    assert not spooler.flagged_for_review
    cf.caused_incident(changes[0])  # links are not written through the change: the daily run sees them
    assert refresh_template_review_flags.delay().get() == 1
    spooler.refresh_from_db()
    assert spooler.flagged_for_review
    ChangeTemplate.objects.filter(pk=spooler.pk).update(failure_threshold=50)
    assert template_review.refresh_review_flags() == 1
    spooler.refresh_from_db()
    assert not spooler.flagged_for_review
    assert list(spooler.events.values_list("action", flat=True)) == [Action.UNFLAGGED, Action.FLAGGED]


def test_the_beat_schedule_runs_the_review_daily(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["changes-template-review-flags"]
    assert entry == {"task": "changes.refresh_template_review_flags", "schedule": 86400.0}


# --- the API -------------------------------------------------------------------------------------------------

def test_api_lists_templates_with_success_rate_and_flag_in_bounded_queries(api_as):
    api = api_as(factories.agent())
    first = cf.template(name="A first")
    cf.completed_change(first, "failed")

    def listing():
        return api.get("/api/v1/change-templates/")

    listing()
    baseline = count_queries(listing)
    for n in range(5):
        cf.completed_change(cf.template(name=f"Template {n}"), "successful")
    assert count_queries(listing) == baseline
    results = listing().json()["results"]
    assert [row["name"] for row in results][:2] == ["A first", "Template 0"]
    assert results[0]["success_rate"] == {"total": 1, "successful": 0, "failed": 1, "caused_incidents": 0,
                                          "rate": 0.0}
    assert results[0]["flagged_for_review"] is False and results[0]["unusable_reason"] == ""


def test_api_permissions(spooler, api_as, authority):
    agent, requester, manager = factories.agent(), factories.requester(), factories.manager()
    assert api_as(requester).get("/api/v1/change-templates/").status_code == 403
    assert api_as(requester).post(f"/api/v1/change-templates/{spooler.pk}/raise/", {}).status_code == 403
    assert api_as(agent).get(f"/api/v1/change-templates/{spooler.pk}/").status_code == 200
    assert api_as(agent).post("/api/v1/change-templates/", PAYLOAD).status_code == 403
    assert api_as(agent).post(f"/api/v1/change-templates/{spooler.pk}/retire/").status_code == 403
    created = api_as(manager).post("/api/v1/change-templates/", PAYLOAD)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["state"] == "proposed" and [e["action"] for e in body["history"]] == ["created"]
    assert api_as(manager).post("/api/v1/change-templates/", PAYLOAD).json()["name"]  # unique name: 400
    pk = body["id"]
    assert api_as(agent).post(f"/api/v1/change-templates/{pk}/authorise/", {}).status_code == 403
    authorised = api_as(authority).post(f"/api/v1/change-templates/{pk}/authorise/",
                                        {"review_date": "2099-01-01", "note": "Checked the runbook"})
    assert authorised.status_code == 200 and authorised.json()["state"] == "authorised"
    assert authorised.json()["authorised_by"] == authority.pk and authorised.json()["review_date"] == "2099-01-01"
    published = api_as(authority).post(f"/api/v1/change-templates/{pk}/publish/")
    assert published.status_code == 200 and published.json()["state"] == "published"
    edited = api_as(manager).patch(f"/api/v1/change-templates/{pk}/", {"backout_plan": "Ask the owner"})
    assert edited.status_code == 200 and edited.json()["state"] == "proposed"
    assert edited.json()["history"][0]["action"] == "reproposed"
    assert api_as(authority).post(f"/api/v1/change-templates/{pk}/publish/").status_code == 400
    assert api_as(manager).patch(f"/api/v1/change-templates/{pk}/", {"state": "published"}).json()["state"] == \
        "proposed"  # read-only


def test_api_bad_input_is_400(api_as, authority):
    api = api_as(authority)
    assert api.post("/api/v1/change-templates/", {"name": "x"}).status_code == 400
    dup = api.post("/api/v1/change-templates/", {**PAYLOAD, "name": cf.template().name})
    assert dup.status_code == 400 and "name" in dup.json()
    pk = api.post("/api/v1/change-templates/", PAYLOAD).json()["id"]
    assert api.post(f"/api/v1/change-templates/{pk}/authorise/", {"review_date": "2001-01-01"}).status_code == 400
    assert api.post(f"/api/v1/change-templates/{pk}/authorise/", {"review_date": "soon"}).status_code == 400
    assert api.get("/api/v1/change-templates/99999999999999999999999/").status_code == 404


# --- pages ---------------------------------------------------------------------------------------------------

def test_catalogue_page(spooler, client):
    cf.template(name="Old", state="retired")
    ChangeTemplate.objects.filter(pk=spooler.pk).update(flagged_for_review=True)
    cf.completed_change(spooler, "successful")
    login(client, factories.agent())
    page = client.get(reverse("change_templates:list"))
    text = page.content.decode()
    assert page.status_code == 200 and spooler.name in text and "Old" not in text
    assert "100.0%" in text and "Review" in text and 'id="new-template"' not in text
    assert "Old" in client.get(reverse("change_templates:list"), {"state": "retired"}).content.decode()
    login(client, factories.requester())
    assert client.get(reverse("change_templates:list")).status_code == 403


def test_template_page_shows_procedure_history_changes_and_allowed_buttons(spooler, client, authority):
    change = cf.completed_change(spooler, "successful")
    templates.save_template(authority, {"description": "Floor 3"}, spooler)
    login(client, factories.agent())
    text = client.get(reverse("change_templates:detail", args=[spooler.pk])).content.decode()
    assert spooler.implementation_plan in text and spooler.risk_assessment in text and change.number in text
    assert "Updated" in text and 'id="retire"' not in text and 'id="authorise-submit"' not in text
    login(client, authority)
    text = client.get(reverse("change_templates:detail", args=[spooler.pk])).content.decode()
    assert 'id="retire"' in text and 'id="authorise-submit"' in text


def test_managers_create_edit_and_move_templates_through_pages(client, authority):
    printers = CIClassFactory(name="printer")
    login(client, factories.agent())
    assert client.get(reverse("change_templates:create")).status_code == 403
    login(client, authority)
    assert client.get(reverse("change_templates:create")).status_code == 200
    bad = client.post(reverse("change_templates:create"), {"name": "x"})
    assert bad.status_code == 400
    response = client.post(reverse("change_templates:create"), {
        **PAYLOAD, "ci_classes": [printers.pk], "failure_threshold": 10, "configuration_items": ""})
    template = ChangeTemplate.objects.get(name=PAYLOAD["name"])
    assert response.status_code == 302 and list(template.ci_classes.all()) == [printers]
    assert client.post(reverse("change_templates:authorise", args=[template.pk]),
                       {"review_date": "2000-01-01"}).status_code == 400
    client.post(reverse("change_templates:authorise", args=[template.pk]), {"review_date": "2099-06-30"})
    client.post(reverse("change_templates:publish", args=[template.pk]))
    template.refresh_from_db()
    assert template.state == State.PUBLISHED and str(template.review_date) == "2099-06-30"
    edit = client.post(reverse("change_templates:edit", args=[template.pk]), {
        **PAYLOAD, "duration_minutes": 30, "ci_classes": [printers.pk], "failure_threshold": 10})
    template.refresh_from_db()
    assert edit.status_code == 302 and template.state == State.PROPOSED
    client.post(reverse("change_templates:retire", args=[template.pk]))
    template.refresh_from_db()
    assert template.state == State.RETIRED
    login(client, factories.agent())
    assert client.post(reverse("change_templates:publish", args=[template.pk])).status_code == 403


def test_catalogue_page_queries_do_not_grow_with_templates(client):
    login(client, factories.agent())
    cf.completed_change(cf.template(name="First"), "successful")

    def catalogue():
        assert client.get(reverse("change_templates:list")).status_code == 200

    catalogue()
    baseline = count_queries(catalogue)
    for n in range(5):
        cf.completed_change(cf.template(name=f"Template {n}", owner=factories.manager()), "failed")
    assert count_queries(catalogue) == baseline
