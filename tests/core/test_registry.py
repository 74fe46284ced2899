"""The app registry: roles, API routes, site URLs and the header menu all come from the apps' declarations."""

import re

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.urls import reverse

from core import permissions as p
from core import registry
from core.roles import sync_roles
from tests.support import factories


def codenames(role):
    return {f"{perm.content_type.app_label}.{perm.codename}"
            for perm in Group.objects.get(name=role).permissions.select_related("content_type")}


# role -> (permissions it must hold, permissions it must not hold); the grants as they were hand-kept before
KNOWN = {
    p.REQUESTER: (set(), {"core.view_ticket", "incidents.view_incident", "slm.view_service"}),
    p.AGENT: ({"core.view_ticket", "core.view_auditentry", "incidents.add_incident", "incidents.change_incident",
               "slm.view_agreement", "cmdb.view_configurationitem", "events.view_alert"},
              {"core.change_team", "incidents.delete_incident", "slm.change_agreement", "cmdb.add_configurationitem",
               "events.add_event", "auth.view_user", "core.change_auditentry"}),
    p.MANAGER: ({"core.add_team", "core.change_organization", "incidents.delete_incident", "incidents.delete_category",
                 "slm.delete_agreement", "slm.add_businesscalendar", "cmdb.delete_relationship",
                 "events.delete_incidentrule"},
                {"core.delete_team", "core.change_auditentry", "core.delete_auditentry", "auth.change_user"}),
    p.CHANGE_AUTHORITY: ({"incidents.view_incident", "cmdb.view_configurationitem"},
                         {"incidents.change_incident", "core.view_ticket", "slm.view_service", "events.view_alert"}),
    p.ADMIN: ({"auth.change_user", "auth.delete_group", "core.delete_team", "core.view_auditentry",
               "incidents.delete_incident", "slm.delete_slatimer", "cmdb.delete_ciclass", "events.delete_event"},
              {"core.change_auditentry", "core.delete_auditentry"}),
    p.INTEGRATION: ({"events.add_event", "events.add_alert"}, {"events.view_event", "incidents.add_incident"}),
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(KNOWN))
def test_role_permissions_are_unchanged(role):
    sync_roles()
    held = codenames(role)
    must, must_not = KNOWN[role]
    assert must <= held and not held & must_not


@pytest.mark.django_db
def test_role_permission_counts_and_only_known_apps():
    sync_roles()
    assert set(Group.objects.values_list("name", flat=True)) >= set(p.ROLES)
    assert codenames(p.REQUESTER) == set()
    assert {name.split(".")[0] for name in codenames(p.AGENT)} == {"core", "incidents", "slm", "cmdb", "events",
                                                                       "problems", "knowledge", "servicerequests",
                                                                       "changes", "improvement"}
    assert {name.split(".")[0] for name in codenames(p.INTEGRATION)} == {"events"}
    assert all(name.startswith("events.add_") for name in codenames(p.INTEGRATION))


def test_every_project_app_declares_its_role_grants():
    """The empty practices declare theirs too, so their first models get the right grants on migrate."""
    grants = {config.label: config.role_grants for config in registry.registered_apps()}
    assert grants["problems"] == {p.AGENT: registry.VIEW_ADD_CHANGE, p.MANAGER: registry.VIEW_ADD_CHANGE}
    assert grants["changes"][p.CHANGE_AUTHORITY] == registry.VIEW_ADD_CHANGE
    assert grants["servicerequests"][p.MANAGER] == registry.ALL_ACTIONS
    assert grants["improvement"][p.AGENT] == registry.VIEW_ADD_CHANGE
    assert grants["knowledge"][p.AGENT] == registry.VIEW_ADD_CHANGE
    assert grants["mailchannel"] == {}  # admins only: they hold every permission anyway
    assert set(grants) == {"core", "slm", "cmdb", "incidents", "servicerequests", "problems", "changes", "events",
                           "improvement", "knowledge", "mailchannel"}
    for declared in grants.values():
        assert set(declared) <= set(p.ROLES)
        assert all(set(actions) <= set(registry.ALL_ACTIONS) for actions in declared.values())
    assert registry.withheld_permissions() == {("core", "auditentry", "change"), ("core", "auditentry", "delete")}


def test_api_routes_come_from_the_registry():
    assert registry.api_url_modules() == ["core.api.urls", "slm.api.urls", "slm.api.reports_urls", "cmdb.api.urls",
                                          "incidents.api.urls", "servicerequests.api.catalog_urls",
                                          "servicerequests.api.urls", "problems.api.urls", "problems.api.known_error_urls",
                                          "problems.api.candidate_urls", "changes.api.urls", "changes.api.cab_urls",
                                          "changes.api.templates", "changes.api.releases", "changes.api.schedule_urls",
                                          "events.api.urls", "improvement.api.urls", "improvement.api.proposal_urls",
                                          "mailchannel.api.urls", "knowledge.api.urls"]
    for name in ("me", "incident-list", "request-list", "task-list", "service-list", "report-compliance", "survey-list", "ci-list", "alert-list",
                 "events-ingest", "article-list", "change-list", "improvement-list", "mailbox-list",
                 "maildomain-list", "inboundmessage-list"):
        assert reverse(name).startswith("/api/v1/")

def test_web_includes_come_from_the_registry_with_root_last():
    includes = registry.web_url_includes()
    assert includes[-1] == ("", "core.urls")
    assert set(includes[:-1]) == {("incidents/", "incidents.urls"), ("slm/", "slm.urls"), ("cmdb/", "cmdb.urls"),
                                  ("events/", "events.urls"), ("knowledge/", "knowledge.urls"),
                                  ("problems/workarounds/", "problems.workaround_urls"),
                                  ("problems/reports/", "problems.report_urls"),
                                  ("problems/candidates/", "problems.candidate_urls"), ("problems/", "problems.urls"),
                                  ("portal/", "servicerequests.portal_urls"),
                                  ("requests/tasks/", "servicerequests.task_urls"), ("requests/", "servicerequests.urls"),
                                  ("changes/reports/", "changes.report_urls"), ("changes/cab/", "changes.cab_urls"),
                                  ("changes/templates/", "changes.template_urls"),
                                  ("changes/releases/", "changes.release_urls"),
                                  ("changes/schedule/", "changes.schedule_urls"), ("changes/", "changes.risk_urls"),
                                  ("changes/", "changes.urls"),
                                  ("improvements/proposals/", "improvement.proposal_urls"),
                                  ("improvements/", "improvement.urls"), ("mail/", "mailchannel.urls")}


def test_menu_entry_refuses_an_unknown_audience():
    with pytest.raises(ValueError):
        registry.MenuEntry("x", "home", audience="agent")


@pytest.mark.django_db
def test_audiences_per_role():
    assert registry.audiences_of(factories.admin(username="root")) == {registry.EVERYONE, registry.AGENTS,
                                                                       registry.MANAGERS, registry.ADMINS}
    assert registry.audiences_of(factories.manager(username="m")) == {registry.EVERYONE, registry.AGENTS,
                                                                      registry.MANAGERS}
    assert registry.audiences_of(factories.agent(username="a")) == {registry.EVERYONE, registry.AGENTS}
    assert registry.audiences_of(factories.requester(username="r")) == {registry.EVERYONE, registry.REQUESTERS}


def nav(client, user):
    client.force_login(user)
    html = client.get(reverse("home")).content.decode()
    menu = html.split('<nav class="container-fluid">')[1].split("</ul>")[0]
    return re.findall(r'<a href="([^"]+)"( data-hotkey="\w")?>([^<]+)</a>', menu)


AGENT_MENU = [("/", "", "My work"), ("/triage/", "", "Triage"), ("/incidents/", "", "Incidents"),
              ("/requests/", "", "Requests"), ("/requests/tasks/", "", "Tasks"),
              ("/incidents/new/", ' data-hotkey="n"', "New incident"), ("/problems/", "", "Problems"),
              ("/changes/", "", "Changes"), ("/events/", "", "Alerts"), ("/knowledge/", "", "Knowledge"), ("/cmdb/cis/", "", "CMDB"),
              ("/slm/services/", "", "Service catalogue"), ("/slm/reports/compliance/", "", "SLA reports"),
              ("/slm/reviews/", "", "Service reviews"), ("/improvements/", "", "Improvements")]


@pytest.mark.django_db
def test_header_menu_per_role(client):
    assert nav(client, factories.agent(username="a")) == AGENT_MENU
    assert nav(client, factories.manager(username="m")) == AGENT_MENU + [
        ("/slm/agreements/", "", "Agreements"), ("/admin/", "", "Admin")]
    assert nav(client, factories.admin(username="root")) == AGENT_MENU + [
        ("/slm/agreements/", "", "Agreements"), ("/mail/mailboxes/", "", "E-mail"), ("/admin/", "", "Admin")]
    assert nav(client, factories.requester(username="r")) == [("/", "", "My requests"),
                                                              ("/portal/catalog/", "", "Request something"),
                                                              ("/knowledge/", "", "Knowledge"),
                                                              ("/slm/services/", "", "Service catalogue")]


@pytest.mark.django_db
def test_header_menu_is_empty_when_signed_out(client):
    html = client.get(reverse("login")).content.decode()
    menu = html.split('<nav class="container-fluid">')[1].split("</ul>")[0]
    assert re.findall(r"<a ", menu) == ['<a ']  # the brand link only


def test_every_menu_entry_reverses():
    for entry in registry.menu_entries():
        assert reverse(entry.url_name)
    assert [entry.order for entry in registry.menu_entries()] == sorted(e.order for e in registry.menu_entries())
    assert apps.get_app_config("demo") not in registry.registered_apps()
