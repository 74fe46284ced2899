"""Catalogue and agreement pages, the ticket SLA panel, and the admin screens."""

import pytest
from django.test import Client

from slm.models import BusinessCalendar
from tests.support import factories
from tests.support.queries import max_queries
from tests.support.slm_factories import AgreementFactory, TargetFactory, around_the_clock

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_catalogue_pages_by_role(db):
    acme = factories.OrganizationFactory(name="Acme")
    mail = factories.ServiceFactory(name="Mail", description="Send and receive e-mail")
    mail.customers.add(acme)
    factories.ServiceFactory(name="Payroll")
    requester = client_for(factories.requester(username="view-req", organization=acme))
    page = requester.get("/slm/services/").content.decode()
    assert "Mail" in page and "Payroll" not in page
    assert requester.get(f"/slm/services/{mail.pk}/").status_code == 200
    assert requester.get("/slm/agreements/").status_code == 403
    agent = client_for(factories.agent(username="view-agent"))
    for n in range(10):
        factories.ServiceFactory(name=f"Extra {n}").customers.add(acme)
    with max_queries(12):
        page = agent.get("/slm/services/").content.decode()
    assert "Payroll" in page


def test_agreement_pages_for_staff(db):
    agreement = AgreementFactory(name="Acme SLA")
    TargetFactory(agreement=agreement, name="P1 resolution", calendar=around_the_clock())
    manager = client_for(factories.manager(username="view-mgr"))
    assert "Acme SLA" in manager.get("/slm/agreements/").content.decode()
    page = manager.get(f"/slm/agreements/{agreement.pk}/").content.decode()
    assert "P1 resolution" in page and "240 min" in page


def test_ticket_page_shows_timers_and_timeline(db):
    TargetFactory(name="Fix within 4h", calendar=around_the_clock())
    agent = factories.agent(username="panel-agent")
    incident = factories.incident(agent)
    page = client_for(agent).get(f"/incidents/{incident.pk}/").content.decode()
    assert "Fix within 4h" in page and "SLA timeline" in page and "Attached" in page


def test_admin_calendar_and_repair_screens(db):
    admin = client_for(factories.admin(username="view-admin"))
    response = admin.post("/admin/slm/businesscalendar/add/", {
        "name": "Berlin office", "timezone": "Europe/Berlin", "description": "",
        "hours-TOTAL_FORMS": "1", "hours-INITIAL_FORMS": "0", "hours-0-weekday": "0", "hours-0-start": "09:00",
        "hours-0-end": "17:00", "exceptions-TOTAL_FORMS": "0", "exceptions-INITIAL_FORMS": "0"})
    assert response.status_code == 302, response.content.decode()[:2000]
    calendar = BusinessCalendar.objects.get(name="Berlin office")
    assert calendar.hours.count() == 1 and calendar.version >= 2
    response = admin.post("/admin/slm/businesscalendar/", {"action": "import_holidays",
                                                           "_selected_action": [calendar.pk]})
    assert response.status_code == 302 and calendar.exceptions.exists()
    for path in ("/admin/slm/agreement/", "/admin/slm/serviceleveltarget/", "/admin/slm/slatimer/",
                 "/admin/slm/escalationrule/", "/admin/slm/service/"):
        assert admin.get(path).status_code == 200, path
