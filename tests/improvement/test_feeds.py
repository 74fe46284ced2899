"""The feeds into the register: proposals from repeated SLA breaches and from complaints and low survey scores
(thresholds, evidence, no duplicates, dismissed ones not proposed again), deciding them, and the conversions of a
service review action and of a problem."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.models import AuditEntry, LinkKind, TicketLink
from core.services import PermissionDeniedError
from improvement import feeds, services
from improvement.models import Improvement, Proposal
from servicerequests.models import FieldType, RequestType
from slm import reviews
from slm.models import SatisfactionSurvey
from tests.support import factories, report_factories, request_factories

pytestmark = pytest.mark.django_db
NOW = timezone.now()
DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _thresholds(settings):
    settings.IMPROVEMENT_FEED_DAYS = 30
    settings.IMPROVEMENT_FEED_BREACHES = 5
    settings.IMPROVEMENT_FEED_COMPLAINTS = 3
    settings.IMPROVEMENT_FEED_LOW_RATING = 2


@pytest.fixture
def service():
    return factories.ServiceFactory(name="E-mail")


@pytest.fixture
def target(service):
    return report_factories.target(report_factories.agreement([service]), name="Gold resolution")


def breaches(service, target, count, ago=DAY, title="Mail bounces"):
    """`count` incidents of `service`, each with a breached timer of `target` `ago` before now."""
    made = []
    for index in range(count):
        incident = factories.incident(service=service, title=f"{title} {index + 1}")
        report_factories.timer(incident, target, breached_at=NOW - ago - datetime.timedelta(minutes=index))
        made.append(incident)
    return made


# --- repeated breaches ------------------------------------------------------------------------------------------

def test_breaches_below_the_threshold_propose_nothing(service, target):
    breaches(service, target, 4)
    old = breaches(service, target, 3, ago=40 * DAY, title="Old")  # outside the 30 days
    met = factories.incident(service=service)
    report_factories.timer(met, target, stopped_at=NOW - DAY, met=True)
    assert old and feeds.run_feeds() == {"breach_trend": 0, "feedback": 0}
    assert not Proposal.objects.exists()


def test_repeated_breaches_propose_an_improvement_with_the_breach_list(service, target):
    made = breaches(service, target, 5)
    other = factories.ServiceFactory(name="Printing")
    breaches(other, report_factories.target(report_factories.agreement([other], name="Print SLA")), 2)
    assert feeds.run_feeds() == {"breach_trend": 1, "feedback": 0}
    proposal = Proposal.objects.get()
    today = timezone.localdate()
    assert (proposal.source, proposal.service, proposal.state) == ("breach_trend", service, "pending")
    assert proposal.count == 5
    assert (proposal.period_start, proposal.period_end) == (today - 29 * DAY, today)
    assert "E-mail" in proposal.title and "5" in proposal.summary
    evidence = proposal.evidence
    assert evidence["total"] == 5 and evidence["threshold"] == 5 and evidence["by_metric"] == {"resolution": 5}
    assert evidence["period"] == {"start": (today - 29 * DAY).isoformat(), "end": today.isoformat(), "days": 30}
    first = evidence["breaches"][0]  # newest first
    assert first == {"ticket": made[0].pk, "number": made[0].number, "title": "Mail bounces 1", "kind": "incident",
                     "metric": "resolution", "target": "Gold resolution",
                     "breached_at": first["breached_at"]}
    assert datetime.datetime.fromisoformat(first["breached_at"]) == NOW - DAY
    assert [b["number"] for b in evidence["breaches"]] == [i.number for i in made]


def test_the_cost_grows_with_what_is_due_not_with_the_history(service, target):
    from tests.support.queries import count_queries

    quiet = count_queries(feeds.run_feeds)
    for index in range(3):  # below the threshold everywhere: nothing due
        other = factories.ServiceFactory(name=f"Quiet {index}")
        breaches(other, report_factories.target(report_factories.agreement([other], name=f"SLA {index}")), 4)
    assert count_queries(feeds.run_feeds) == quiet
    breaches(service, target, 5)
    one = count_queries(feeds.run_feeds)
    assert Proposal.objects.count() == 1 and one <= quiet + 4


def test_the_stored_breach_list_is_capped_and_the_total_kept(service, target, monkeypatch):
    monkeypatch.setattr(feeds, "EVIDENCE_LIMIT", 3)
    breaches(service, target, 6)
    feeds.run_feeds()
    proposal = Proposal.objects.get()
    assert proposal.count == 6 and proposal.evidence["total"] == 6 and len(proposal.evidence["breaches"]) == 3


def test_the_window_follows_the_setting(service, target, settings):
    breaches(service, target, 5, ago=10 * DAY)
    settings.IMPROVEMENT_FEED_DAYS = 7
    assert feeds.run_feeds()["breach_trend"] == 0
    settings.IMPROVEMENT_FEED_DAYS = 14
    assert feeds.run_feeds()["breach_trend"] == 1


def test_no_second_proposal_while_one_is_pending_or_its_improvement_open(service, target):
    manager = factories.manager()
    breaches(service, target, 5)
    assert feeds.run_feeds()["breach_trend"] == 1
    breaches(service, target, 5, title="More")
    assert feeds.run_feeds()["breach_trend"] == 0  # pending
    improvement = feeds.accept(Proposal.objects.get(), manager)
    assert feeds.run_feeds()["breach_trend"] == 0  # accepted, its improvement still open
    services.transition_improvement(improvement, manager, "closed", {"withdrawn_reason": "Covered elsewhere"})
    assert feeds.run_feeds()["breach_trend"] == 1  # the improvement is closed: the breaches go on
    assert Proposal.objects.filter(state="pending").count() == 1


def test_a_dismissed_proposal_is_not_proposed_again_for_an_overlapping_window(service, target):
    breaches(service, target, 5)
    feeds.run_feeds()
    feeds.dismiss(Proposal.objects.get(), factories.manager(), "Known: the new mail server goes live next week")
    breaches(service, target, 5, title="Again")
    today = timezone.localdate()
    assert feeds.run_feeds()["breach_trend"] == 0
    assert feeds.run_feeds(today + 29 * DAY)["breach_trend"] == 0  # still overlaps the dismissed window
    later = today + 30 * DAY
    breaches(service, target, 5, ago=-29 * DAY, title="After")  # breached on the later window's days
    assert feeds.run_feeds(later)["breach_trend"] == 1
    assert Proposal.objects.get(state="pending").period_start == today + DAY


def test_a_service_blocked_in_one_feed_is_free_in_the_other(service, target):
    breaches(service, target, 5)
    feeds.run_feeds()
    assert feeds.blocked_services("breach_trend", timezone.localdate(), timezone.localdate()) == {service.pk}
    assert feeds.blocked_services("feedback", timezone.localdate(), timezone.localdate()) == set()


# --- complaints and low survey scores --------------------------------------------------------------------------

FEEDBACK_FIELDS = [{"name": "kind", "label": "This is", "type": FieldType.CHOICE, "required": True,
                    "choices": ["Compliment", "Suggestion", "Complaint"]},
                   {"name": "details", "label": "Tell us more", "type": FieldType.LONG_TEXT}]


@pytest.fixture
def feedback_item(service):
    return request_factories.catalog_item(name="Compliment or complaint", service=service,
                                          request_type=RequestType.FEEDBACK, fields=FEEDBACK_FIELDS)


def feedback(item, kind, details="Mail is slow"):
    return request_factories.service_request(item=item, requester=factories.requester(),
                                             variables={"kind": kind, "details": details})


def survey(service, rating, ago=DAY, comment=""):
    ticket = factories.incident(service=service, title=f"Rated {rating}")
    return SatisfactionSurvey.objects.create(ticket=ticket, rating=rating, comment=comment,
                                             answered_at=NOW - ago)


def test_the_complaint_rule(feedback_item, service):
    complaint = feedback(feedback_item, "Complaint")
    feedback(feedback_item, "Compliment")
    other_item = request_factories.catalog_item(name="Question", service=service, request_type=RequestType.INFORMATION,
                                                fields=FEEDBACK_FIELDS)
    feedback(other_item, "Complaint")  # not a feedback item
    shouting = request_factories.catalog_item(name="Tell us", service=service, request_type=RequestType.FEEDBACK,
                                              fields=[{"name": "type", "label": "Type", "type": FieldType.CHOICE,
                                                       "choices": ["Praise", "COMPLAINT"]}])
    loud = request_factories.service_request(item=shouting, variables={"type": "COMPLAINT"})
    request_factories.service_request(item=shouting, variables={"type": "Praise"})
    assert feeds.complaint_answer_names() == ["kind", "type"]
    assert sorted(feeds.complaints().values_list("pk", flat=True)) == [complaint.pk, loud.pk]


def test_complaints_and_low_scores_together_propose_an_improvement(feedback_item, service):
    first = feedback(feedback_item, "Complaint", "Mailbox full again")
    feedback(feedback_item, "Compliment")
    low = survey(service, 2, comment="Took a week")
    survey(service, 3)  # not low
    survey(service, 1, ago=45 * DAY)  # outside the window
    assert feeds.run_feeds()["feedback"] == 0  # 2 of 3
    cancelled = feedback(feedback_item, "Complaint")
    from servicerequests.services import cancel_request
    cancel_request(cancelled, factories.agent(), "Sent by mistake")
    assert feeds.run_feeds()["feedback"] == 0  # a withdrawn complaint does not count
    second = feedback(feedback_item, "Complaint")
    assert feeds.run_feeds() == {"breach_trend": 0, "feedback": 1}
    proposal = Proposal.objects.get()
    assert (proposal.source, proposal.service, proposal.count) == ("feedback", service, 3)
    evidence = proposal.evidence
    assert (evidence["complaints"], evidence["low_ratings"], evidence["low_rating"], evidence["total"]) == (2, 1, 2, 3)
    by_ticket = {item["ticket"]: item for item in evidence["items"]}
    assert by_ticket[first.pk]["type"] == "complaint" and by_ticket[first.pk]["number"] == first.number
    assert by_ticket[second.pk]["kind"] == "request"
    assert by_ticket[low.ticket_id] | {"at": None} == {
        "type": "survey", "ticket": low.ticket_id, "number": low.ticket.number, "title": "Rated 2",
        "kind": "incident", "rating": 2, "comment": "Took a week", "at": None}
    assert feeds.run_feeds()["feedback"] == 0  # pending: no duplicate


def test_low_scores_alone_reach_the_threshold(service):
    for rating in (1, 2, 2):
        survey(service, rating)
    assert feeds.run_feeds()["feedback"] == 1


# --- deciding ---------------------------------------------------------------------------------------------------

@pytest.fixture
def proposal(service, target):
    breaches(service, target, 5)
    feeds.run_feeds()
    return Proposal.objects.get()


def test_accepting_creates_the_improvement_with_the_evidence(proposal, service):
    manager = factories.manager()
    improvement = feeds.accept(proposal, manager)
    assert (improvement.state, improvement.source, improvement.owner) == ("vision", "breach_trend", manager)
    assert list(improvement.services.all()) == [service]
    assert (improvement.metric_name, improvement.metric_service, improvement.metric_timer) == (
        "sla_compliance", service, "resolution")
    assert improvement.evidence == {**proposal.evidence, "proposal": proposal.pk}
    assert improvement.title == proposal.title
    assert proposal.summary in improvement.description
    assert proposal.evidence["breaches"][0]["number"] in improvement.description
    proposal.refresh_from_db()
    assert (proposal.state, proposal.decided_by, proposal.improvement) == ("accepted", manager, improvement)
    assert proposal.decided_at is not None
    entry = AuditEntry.objects.get(ticket_id=improvement.pk, changes__has_key="proposal")
    assert f"#{proposal.pk}" in entry.changes["proposal"][1] and entry.actor == manager


def test_accepting_a_feedback_proposal_targets_satisfaction(service):
    for rating in (1, 1, 2):
        survey(service, rating)
    feeds.run_feeds()
    improvement = feeds.accept(Proposal.objects.get(), factories.manager())
    assert (improvement.source, improvement.metric_name, improvement.metric_service) == ("feedback", "csat", service)
    assert "Rated 1" in improvement.description


def test_only_managers_decide_and_only_once(proposal):
    agent, manager = factories.agent(), factories.manager()
    with pytest.raises(PermissionDeniedError):
        feeds.accept(proposal, agent)
    with pytest.raises(PermissionDeniedError):
        feeds.dismiss(proposal, agent, "No")
    with pytest.raises(ValidationError) as error:
        feeds.dismiss(proposal, manager, "  ")
    assert "reason" in error.value.message_dict
    feeds.dismiss(proposal, manager, "Already planned")
    proposal.refresh_from_db()
    assert (proposal.state, proposal.dismiss_reason, proposal.decided_by) == ("dismissed", "Already planned", manager)
    for decide in (lambda: feeds.accept(proposal, manager), lambda: feeds.dismiss(proposal, manager, "Again")):
        with pytest.raises(ValidationError) as error:
            decide()
        assert "state" in error.value.message_dict
    assert not Improvement.objects.exists()


def test_accepting_twice_is_refused(proposal):
    manager = factories.manager()
    feeds.accept(proposal, manager)
    with pytest.raises(ValidationError):
        feeds.accept(proposal, manager)
    assert Improvement.objects.count() == 1


# --- conversions ------------------------------------------------------------------------------------------------

def review_with_actions(service, owners):
    organization = factories.OrganizationFactory(name="Acme")
    return reviews.create_review(factories.manager(), {
        "service": service, "organization": organization, "date": datetime.date(2026, 11, 5), "period": "2026-10",
        "findings": "Mail outages on Mondays", "decisions": "Look at the relay"},
        [{"description": f"Replace the mail relay {i}", "owner": owner, "due_date": datetime.date(2027, 1, 31)}
         for i, owner in enumerate(owners)])


def test_a_review_action_becomes_an_improvement_with_its_evidence(service):
    owner = factories.agent()
    review = review_with_actions(service, [owner, factories.requester()])
    staff_owned, requester_owned = review.actions.order_by("id")
    agent = factories.agent()
    improvement = feeds.from_review_action(staff_owned, agent)
    assert (improvement.source, improvement.source_review_action, improvement.owner) == (
        "service_review", staff_owned, owner)
    assert list(improvement.services.all()) == [service] and improvement.organization == review.organization
    assert improvement.title == "Replace the mail relay 0"
    assert improvement.evidence["review"] | {"id": None} == {
        "id": None, "date": "2026-11-05", "period": "2026-10", "service": "E-mail", "customer": "Acme",
        "findings": "Mail outages on Mondays", "decisions": "Look at the relay"}
    assert improvement.evidence["action"]["description"] == "Replace the mail relay 0"
    assert "Mail outages on Mondays" in improvement.description
    assert feeds.from_review_action(requester_owned, agent).owner == agent  # a requester owns no improvement
    with pytest.raises(ValidationError) as error:
        feeds.from_review_action(staff_owned, agent)
    assert improvement.number in str(error.value.message_dict["action"])
    with pytest.raises(PermissionDeniedError):
        feeds.from_review_action(staff_owned, factories.requester())


def test_a_problem_becomes_an_improvement_linked_to_it(service):
    agent = factories.agent()
    other = factories.ServiceFactory(name="Calendar")
    problem = factories.problem(agent, service=service, root_cause="The relay's disk is too small",
                                workaround="Restart the relay", affected_services=[other, service])
    from problems.services import link_incident
    for index in range(2):
        link_incident(problem, agent, factories.incident(agent, title=f"Mail lost {index}"))
    improvement = feeds.from_problem(problem, agent)
    assert (improvement.source, improvement.source_ticket_id) == ("problem", problem.pk)
    assert sorted(improvement.services.values_list("name", flat=True)) == ["Calendar", "E-mail"]
    assert improvement.evidence == {
        "problem": {"id": problem.pk, "number": problem.number, "title": problem.title, "known_error": False},
        "root_cause": "The relay's disk is too small", "workaround": "Restart the relay", "incidents": 2}
    assert (improvement.metric_name, improvement.metric_service) == ("incident_volume", service)
    assert TicketLink.objects.filter(source=improvement.ticket_ptr, target_id=problem.pk,
                                     kind=LinkKind.RELATED).exists()
    assert "The relay's disk is too small" in improvement.description
    with pytest.raises(ValidationError) as error:
        feeds.from_problem(problem, agent)
    assert improvement.number in str(error.value.message_dict["problem"])
    with pytest.raises(PermissionDeniedError):
        feeds.from_problem(problem, factories.requester())
