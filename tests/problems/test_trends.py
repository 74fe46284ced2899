"""Trend analysis finds the known clusters of similar incidents, not the noise, and remembers decisions."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import AuditEntry, LinkKind, TicketLink
from incidents import services as incident_services
from problems import candidate_services, trends
from problems.models import Candidate, Problem
from tests.support import factories
from tests.support.trend_data import NOISE, VPN, history, make_incident

pytestmark = pytest.mark.django_db


def found(now=None):
    clusters, _ = trends.analyse(now)
    return {frozenset(c.incident_ids): c for c in clusters}


def test_finds_exactly_the_known_clusters_not_the_noise():
    data = history()
    clusters = found()
    assert set(clusters) == {frozenset(ids) for ids in data.clusters.values()}
    mail = clusters[frozenset(data.clusters["mail"])]
    assert mail.dimension == "configuration_item" and mail.value == data.cis[0].pk
    assert mail.shared == {"configuration_item": data.cis[0].pk, "service": data.services[0].pk,
                           "category": data.categories[0].pk}
    assert "mail server unreachable" in mail.terms
    chinese = clusters[frozenset(data.clusters["chinese"])]
    assert "邮件服务器" in chinese.terms and chinese.title.startswith("邮件服务器")
    assert all(c.score > 0 and 0 < c.cohesion <= 1.0001 for c in clusters.values())


def test_cancelled_and_linked_incidents_are_left_out():
    data = history()
    mail = data.clusters["mail"]
    for pk in mail[:3]:
        incident = incident_services.Incident.objects.get(pk=pk)
        incident_services.transition_incident(incident, data.agent, "cancelled", {"cancel_reason": "Raised twice."})
    from problems import services as problem_services

    problem_services.create_problem(data.agent, {"title": "Known VPN issue", "incidents": list(
        incident_services.Incident.objects.filter(pk__in=data.clusters["vpn"][:3]))})
    clusters = found()
    assert frozenset(mail[3:]) in clusters  # 3 left: still a cluster
    assert not any(set(data.clusters["vpn"][:3]) & ids for ids in clusters)
    assert frozenset(data.clusters["vpn"][3:]) not in clusters  # 2 left: too few


def test_window_is_respected(settings):
    data = history()
    settings.PROBLEM_TREND_WINDOW_DAYS = 30
    clusters = found()
    in_window = set(incident_services.Incident.objects.filter(
        created_at__gte=timezone.now() - timedelta(days=30)).values_list("pk", flat=True))
    assert all(set(c.incident_ids) <= in_window for c in clusters.values())
    for ids in clusters:
        assert not ids - in_window


def test_same_incidents_kept_once_most_specific():
    data = history()
    clusters, _ = trends.analyse()
    covered = [pk for c in clusters for pk in c.incident_ids]
    assert len(covered) == len(set(covered))
    assert {c.dimension for c in clusters} == {"configuration_item"}


def test_service_dimension_when_no_ci():
    agent = factories.agent(username="svc-agent")
    service = factories.ServiceFactory(name="Payroll")
    ids = [factories.incident(agent, title=t, service=service).pk for t in VPN]
    for title in NOISE[:10]:
        factories.incident(agent, title=title, service=service)
    clusters = found()
    assert [(c.dimension, c.value) for c in clusters.values()] == [("service", service.pk)]
    assert set(next(iter(clusters))) == set(ids)


def test_bound_on_texts_per_group_keeps_recurring_ones(settings):
    settings.PROBLEM_TREND_MAX_TEXTS = 5
    agent = factories.agent(username="bound-agent")
    service = factories.ServiceFactory(name="Bounded")
    recurring = [factories.incident(agent, title="Disk full on backup server", service=service).pk
                 for _ in range(3)]
    for title in NOISE[:8]:  # only the 4 newest of these take part
        factories.incident(agent, title=title, service=service)
    assert list(found()) == [frozenset(recurring)]


def test_run_records_candidates_and_is_stable():
    data = history()
    summary = candidate_services.run_analysis()
    assert summary["created"] == 3 and summary["clusters"] == 3
    assert Candidate.objects.filter(status="proposed").count() == 3
    again = candidate_services.run_analysis()
    assert (again["created"], again["updated"]) == (0, 3)
    assert Candidate.objects.count() == 3
    mail = next(c for c in Candidate.objects.all() if set(c.incident_ids) == set(data.clusters["mail"]))
    assert mail.configuration_item_id == data.cis[0].pk and mail.service_id == data.services[0].pk


def test_dismissal_is_remembered_until_the_cluster_grows():
    data = history()
    candidate_services.run_analysis()
    vpn = next(c for c in Candidate.objects.all() if set(c.incident_ids) == set(data.clusters["vpn"]))
    candidate_services.dismiss_candidate(vpn, data.agent)
    vpn.refresh_from_db()
    assert (vpn.status, vpn.dismissed_count, vpn.decided_by) == ("dismissed", 5, data.agent)
    summary = candidate_services.run_analysis()
    assert summary["created"] == 0 and summary["unchanged"] == 1
    assert not Candidate.objects.filter(status="proposed", configuration_item=data.cis[1]).exists()
    grown = make_incident(data, "VPN disconnects every hour!!", data.services[1], data.cis[1], data.categories[1], 0)
    summary = candidate_services.run_analysis()
    assert summary["reproposed"] == 1 and summary["created"] == 0
    vpn.refresh_from_db()
    assert vpn.status == "proposed" and grown.pk in vpn.incident_ids and vpn.incident_count == 6


def test_proposed_candidates_that_no_longer_cluster_are_removed():
    data = history()
    candidate_services.run_analysis()
    from problems import services as problem_services

    problem_services.create_problem(data.agent, {"title": "Mail", "incidents": list(
        incident_services.Incident.objects.filter(pk__in=data.clusters["mail"]))})
    summary = candidate_services.run_analysis()
    assert summary["removed"] == 1
    assert Candidate.objects.count() == 2


def test_accept_creates_a_problem_with_the_incidents_linked_once():
    data = history()
    candidate_services.run_analysis()
    candidate = next(c for c in Candidate.objects.all() if set(c.incident_ids) == set(data.clusters["chinese"]))
    stale = Candidate.objects.get(pk=candidate.pk)  # a second tab still showing it proposed
    problem, created = candidate_services.accept_candidate(candidate, data.agent)
    again, created_again = candidate_services.accept_candidate(stale, data.agent)
    assert created and not created_again and again.pk == problem.pk
    assert Problem.objects.count() == 1
    assert problem.number.startswith("PRB") and problem.origin == "trend_analysis"
    assert (problem.configuration_item_id, problem.service_id, problem.category_id) == (
        data.cis[0].pk, data.services[0].pk, data.categories[0].pk)
    assert problem.title == candidate.title
    assert "邮件服务器" in problem.description
    linked = set(TicketLink.objects.filter(target=problem, kind=LinkKind.CAUSED_BY).values_list("source_id", flat=True))
    assert linked == set(data.clusters["chinese"])
    assert AuditEntry.objects.filter(ticket_id__in=linked, action="linked").count() == len(linked)
    candidate.refresh_from_db()
    assert (candidate.status, candidate.problem_id, candidate.decided_by) == ("accepted", problem.pk, data.agent)
    with pytest.raises(Exception):
        candidate_services.dismiss_candidate(candidate, data.agent)
    summary = candidate_services.run_analysis()  # linked incidents leave the analysis; accepted is kept
    assert summary["clusters"] == 2 and Candidate.objects.filter(status="accepted").count() == 1
