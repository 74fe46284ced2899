"""An improvement's metric equals what the service level reports show for the same metric, scope and period:
measured on generated tickets (SLA timers met and breached, responses, resolutions, surveys, major incidents'
outages) over several services, customers, teams and categories, and compared with the reports' API, the
monthly service report and the compliance page."""

import datetime as dt
import random

import pytest
from django.db import transaction

from improvement import metrics
from improvement.models import MetricName
from incidents.models import Category
from slm.models import SatisfactionSurvey
from tests.slm.clock import Clock
from tests.support import factories
from tests.support import report_factories as rf

pytestmark = pytest.mark.django_db

FIRST, LAST = dt.date(2026, 10, 1), dt.date(2026, 10, 31)
START, END = rf.at(2026, 10, 1), rf.at(2026, 11, 1)
RESPONSE_TARGET, RESOLUTION_TARGET = dt.timedelta(hours=1), dt.timedelta(hours=4)


def _timer(ticket, target, created, reached, allowed):
    """A timer met when its metric was reached within `allowed`, else breached at the deadline."""
    due = created + allowed
    if reached is not None and reached <= due:
        rf.timer(ticket, target, stopped_at=reached, met=True, started_at=created)
        return ("met", reached)
    rf.timer(ticket, target, breached_at=due, stopped_at=reached, met=False if reached else None, started_at=created)
    return ("breached", due)


NOW = rf.at(2026, 11, 20, 9)


@pytest.fixture(autouse=True)
def _clock(monkeypatch):
    return Clock(monkeypatch, NOW)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Generated once for the module (tickets are written through the services, which takes a while) and rolled
    back after its last test; each test runs in a savepoint inside."""
    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as patch, transaction.atomic():
        Clock(patch, NOW)
        data = generate()
        yield data
        transaction.set_rollback(True)


def generate():
    rng = random.Random(12)
    agent = factories.agent(username="metrics-agent")
    mail, payroll = factories.ServiceFactory(name="Mail"), factories.ServiceFactory(name="Payroll")
    acme, globex = factories.OrganizationFactory(name="Acme"), factories.OrganizationFactory(name="Globex")
    desk, network = factories.TeamFactory(name="Desk"), factories.TeamFactory(name="Network")
    hardware = Category.objects.create(name="Hardware")
    laptop = Category.objects.create(name="Laptop", parent=hardware)
    software = Category.objects.create(name="Software")
    gold = rf.agreement(services=[mail, payroll], availability_target="99.5")
    targets = {"response": rf.target(gold, "response", target_seconds=3600),
               "resolution": rf.target(gold, "resolution", target_seconds=4 * 3600)}
    records = []
    for n in range(120):
        kind = "problem" if n % 10 == 9 else "incident"
        fields = {"service": rng.choice([mail, payroll, None]), "organization": rng.choice([acme, globex, None]),
                  "team": rng.choice([desk, network, None])}
        if kind == "incident":
            fields["category"] = rng.choice([hardware, hardware, software, None])
            if fields["category"] == hardware and rng.random() < 0.5:
                fields["subcategory"] = laptop
            ticket = factories.incident(agent, title=f"Generated incident {n}", **fields)
        else:
            ticket = factories.problem(agent, title=f"Generated problem {n}", **fields)
        # Created from late September to early November: some outcomes fall outside October on either side.
        created = rf.at(2026, 9, 25) + dt.timedelta(minutes=rng.randrange(0, 40 * 24 * 60))
        responded = created + dt.timedelta(minutes=rng.randrange(5, 150)) if rng.random() < 0.9 else None
        resolved = None
        if responded and rng.random() < 0.8:
            resolved = responded + dt.timedelta(minutes=rng.randrange(20, 30 * 60))
        rf.set_times(ticket, created, responded, resolved)
        record = {"kind": kind, "created": created, "responded": responded, "resolved": resolved,
                  "category": fields.get("category"), "subcategory": fields.get("subcategory"),
                  **{k: fields[k] for k in ("service", "organization", "team")},
                  "response": _timer(ticket, targets["response"], created, responded, RESPONSE_TARGET),
                  "resolution": _timer(ticket, targets["resolution"], created, resolved, RESOLUTION_TARGET)}
        if resolved and rng.random() < 0.75:
            SatisfactionSurvey.objects.create(ticket=ticket, rating=rng.randint(1, 5), sent_at=resolved,
                                              answered_at=resolved + dt.timedelta(hours=rng.randrange(1, 48)))
        records.append(record)
    # Major incidents' outages: two overlapping on Mail, one on each edge of October.
    for service, start, end in [(mail, rf.at(2026, 10, 10, 10), rf.at(2026, 10, 10, 14)),
                                (mail, rf.at(2026, 10, 10, 13), rf.at(2026, 10, 10, 15)),
                                (mail, rf.at(2026, 9, 30, 22), rf.at(2026, 10, 1, 2)),
                                (payroll, rf.at(2026, 10, 31, 23), rf.at(2026, 11, 1, 1))]:
        factories.incident(agent, title="Outage", service=service, is_major=True, outage_start=start,
                           outage_end=end)
    return {"mail": mail, "payroll": payroll, "acme": acme, "globex": globex, "desk": desk, "network": network,
            "hardware": hardware, "laptop": laptop, "software": software, "records": records}


SCOPES = [
    {"service": "mail"}, {"service": "payroll"}, {"organization": "acme"}, {"team": "desk"},
    {"category": "hardware"}, {"category": "laptop"}, {"service": "mail", "organization": "acme"},
    {"service": "payroll", "team": "network"}, {"team": "desk", "category": "software"},
    {"organization": "globex", "category": "hardware"}, {"service": "mail", "organization": "globex", "team": "desk"},
]


def ids(world, scope):
    return {name: world[value].pk for name, value in scope.items()}


def spec(name, scope_ids, timer=""):
    return metrics.MetricSpec(name, timer, **scope_ids)


def api_get(api, url, **params):
    response = api.get(url, {k: v for k, v in params.items() if v is not None})
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def api(manager_user, api_as):
    return api_as(manager_user)


@pytest.mark.parametrize("scope", SCOPES, ids=lambda s: "+".join(f"{k}={v}" for k, v in s.items()))
def test_each_metric_equals_the_reports_api_for_each_scope(world, api, scope):
    scope_ids = ids(world, scope)
    period = {"start": FIRST.isoformat(), "end": LAST.isoformat(), **scope_ids}
    for timer in ("", "response", "resolution"):
        report = api_get(api, "/api/v1/reports/compliance/", timer_metric=timer, **period)
        assert metrics.measure(spec(MetricName.SLA_COMPLIANCE, scope_ids, timer), FIRST, LAST) == \
            report["total"]["compliance"]
    assert report["total"]["measured"] > 0
    assert metrics.measure(spec(MetricName.MTTA, scope_ids), FIRST, LAST) == report["total"]["mtta_seconds"]
    assert metrics.measure(spec(MetricName.MTTR, scope_ids), FIRST, LAST) == report["total"]["mttr_seconds"]
    assert metrics.measure(spec(MetricName.INCIDENT_VOLUME, scope_ids), FIRST, LAST) == report["incident_volume"]
    satisfaction = api_get(api, "/api/v1/reports/satisfaction/", **period)
    assert metrics.measure(spec(MetricName.CSAT, scope_ids), FIRST, LAST) == satisfaction["total"]["average"]
    assert report["total"]["mtta_seconds"] is not None and report["incident_volume"] > 0


@pytest.mark.parametrize("scope", [{"service": "mail"}, {"service": "payroll"}, {"service": "mail",
                                                                                  "organization": "acme"}])
def test_service_scopes_equal_the_monthly_service_report_and_availability(world, api, scope):
    scope_ids = ids(world, scope)
    report = api_get(api, f"/api/v1/reports/service/{scope_ids['service']}/", period="2026-10",
                     organization=scope_ids.get("organization"))
    measured = {name: metrics.measure(spec(name, scope_ids), FIRST, LAST) for name in MetricName.values}
    assert measured[MetricName.SLA_COMPLIANCE] == report["total"]["compliance"]
    assert measured[MetricName.MTTA] == report["total"]["mtta_seconds"]
    assert measured[MetricName.MTTR] == report["total"]["mttr_seconds"]
    assert measured[MetricName.AVAILABILITY] == report["availability"]["availability"]
    assert measured[MetricName.CSAT] == report["satisfaction"]["average"]
    assert measured[MetricName.INCIDENT_VOLUME] == sum(p["count"] for p in report["incidents_by_priority"])
    availability = api_get(api, "/api/v1/reports/availability/", start=FIRST.isoformat(), end=LAST.isoformat(),
                           **scope_ids)
    assert measured[MetricName.AVAILABILITY] == availability["rows"][0]["availability"]


def test_availability_by_hand(world):
    month = 31 * 86400
    mail = metrics.measure(spec(MetricName.AVAILABILITY, {"service": world["mail"].pk}), FIRST, LAST)
    payroll = metrics.measure(spec(MetricName.AVAILABILITY, {"service": world["payroll"].pk}), FIRST, LAST)
    # Mail: 10:00-15:00 (two outages merged) and 00:00-02:00 on the first; Payroll: 23:00-24:00 on the 31st.
    assert mail == round(100 * (1 - 7 * 3600 / month), 3)
    assert payroll == round(100 * (1 - 3600 / month), 3)


def in_october(instant):
    return instant is not None and START <= instant < END


def matches(record, scope):
    for name, value in scope.items():
        if name == "category":
            if value not in (record["category"], record["subcategory"]):
                return False
        elif record[name] != value:
            return False
    return True


@pytest.mark.parametrize("scope", [{"category": "hardware"}, {"category": "laptop"}, {"team": "desk"},
                                   {"service": "mail", "organization": "acme"},
                                   {"organization": "globex", "category": "hardware"}],
                         ids=lambda s: "+".join(s))
def test_scoped_figures_by_hand(world, scope):
    """The filters select what they say: a category (or subcategory) counts only its incidents."""
    objects = {name: world[value] for name, value in scope.items()}
    scope_ids = {name: obj.pk for name, obj in objects.items()}
    rows = [r for r in world["records"] if matches(r, objects)]
    for timer in ("response", "resolution"):
        measured = [r[timer][0] for r in rows if in_october(r[timer][1])]
        expected = round(100 * measured.count("met") / len(measured), 2) if measured else None
        assert metrics.measure(spec(MetricName.SLA_COMPLIANCE, scope_ids, timer), FIRST, LAST) == expected
    both = [r[t][0] for r in rows for t in ("response", "resolution") if in_october(r[t][1])]
    assert metrics.measure(spec(MetricName.SLA_COMPLIANCE, scope_ids), FIRST, LAST) == \
        round(100 * both.count("met") / len(both), 2)
    resolved = [(r["resolved"] - r["created"]).total_seconds() for r in rows if in_october(r["resolved"])]
    assert metrics.measure(spec(MetricName.MTTR, scope_ids), FIRST, LAST) == round(sum(resolved) / len(resolved))
    volume = sum(1 for r in rows if r["kind"] == "incident" and in_october(r["created"]))
    assert metrics.measure(spec(MetricName.INCIDENT_VOLUME, scope_ids), FIRST, LAST) == volume
    if "category" in scope:
        assert all(r["kind"] == "incident" for r in rows)


def test_the_compliance_page_shows_the_figure(world, manager_user, client):
    scope_ids = {"service": world["mail"].pk, "team": world["desk"].pk, "category": world["hardware"].pk}
    value = metrics.measure(spec(MetricName.SLA_COMPLIANCE, scope_ids, "resolution"), FIRST, LAST)
    volume = metrics.measure(spec(MetricName.INCIDENT_VOLUME, scope_ids), FIRST, LAST)
    csat = metrics.measure(spec(MetricName.CSAT, scope_ids), FIRST, LAST)
    client.force_login(manager_user)
    page = client.get("/slm/reports/compliance/", {"start": FIRST.isoformat(), "end": LAST.isoformat(),
                                                   "timer_metric": "resolution", **scope_ids})
    assert page.status_code == 200
    html = page.content.decode()
    total = html.split("<tfoot>")[1].split("</tfoot>")[0]
    assert f"{value:.2f}%" in total
    assert f"<strong>{volume}</strong>" in html.split('id="incident-volume"')[1].split("</p>")[0]
    assert f"<strong>{csat:.2f}</strong>" in html.split('id="satisfaction-total"')[1].split("</p>")[0]
    bad = client.get("/slm/reports/compliance/", {"period": "2026-10", "timer_metric": "both", "team": "x"})
    assert bad.status_code == 400


def test_nothing_measured_is_none(world):
    quiet = factories.ServiceFactory(name="Quiet")
    scope_ids = {"service": quiet.pk}
    for name in (MetricName.SLA_COMPLIANCE, MetricName.MTTA, MetricName.MTTR, MetricName.CSAT):
        assert metrics.measure(spec(name, scope_ids), FIRST, LAST) is None
    assert metrics.measure(spec(MetricName.INCIDENT_VOLUME, scope_ids), FIRST, LAST) == 0


def test_days_are_the_site_time_zone_s_whoever_measures(world, settings):
    """A manager in Shanghai measures the same days (midnight to midnight in the site's zone) as the beat job."""
    from django.utils import timezone

    scope_ids = {"service": world["mail"].pk}
    utc = metrics.measure(spec(MetricName.MTTR, scope_ids), FIRST, LAST)
    with timezone.override("Asia/Shanghai"):
        assert metrics.period_of(FIRST, LAST).start == START
        assert metrics.measure(spec(MetricName.MTTR, scope_ids), FIRST, LAST) == utc


@pytest.mark.parametrize("values, errors", [
    ({"name": ""}, {"metric_name"}),
    ({"name": "speed", "service": 1}, {"metric_name"}),
    ({"name": "mttr"}, {"metric_service"}),
    ({"name": "availability", "organization": 1}, {"metric_service"}),
    ({"name": "availability", "service": 1, "team": 2, "category": 3}, {"metric_team", "metric_category"}),
    ({"name": "mtta", "service": 1, "timer": "response"}, {"metric_timer"}),
    ({"name": "sla_compliance", "service": 1, "timer": "both"}, {"metric_timer"}),
])
def test_specs_that_cannot_be_measured_name_their_fields(values, errors):
    assert set(metrics.validate_spec(metrics.MetricSpec(**values))) == errors


@pytest.mark.parametrize("values", [
    {"name": "sla_compliance", "category": 1, "timer": "resolution"},
    {"name": "availability", "service": 1, "organization": 2},
    {"name": "csat", "team": 1, "organization": 2, "category": 3},
    {"name": "incident_volume", "organization": 1},
    {"name": "mttr", "service": 1, "team": 2},
])
def test_measurable_specs(values):
    assert metrics.validate_spec(metrics.MetricSpec(**values)) == {}


def test_target_ranges():
    assert metrics.validate_target("sla_compliance", 101) and metrics.validate_target("csat", 0.5)
    assert metrics.validate_target("mttr", -1) and not metrics.validate_target("mttr", 10 ** 7)
    assert not metrics.validate_target("availability", 99.95) and not metrics.validate_target("csat", 5)
