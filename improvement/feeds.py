"""The feeds into the register (see docs/architecture.md "Continual improvement"): proposals from repeated SLA
breaches and from complaints and low survey scores, each with its evidence, waiting for a manager; and the
conversions a person asks for, a service review action or a problem whose fix needs investment.

run_feeds() reads only the window's breached timers, complaints and answered surveys, grouped per service in SQL
(the breach count uses the SLA reports' covering index on `counted_at`), then fetches evidence only for the
services that pass a threshold: its cost grows with what is due, not with the history. A service gets no new
proposal of a source while one is pending, while an accepted one's improvement is still open, or while a
dismissed one covers an overlapping window."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Q
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import permissions
from core import services as core_services
from core.models import AuditAction, LinkKind
from core.services import PermissionDeniedError

from . import services
from .models import Improvement, MetricName, Proposal, Source
from .workflow import CLOSED

EVIDENCE_LIMIT = 50  # items stored per proposal (the total is kept beside them)
DESCRIBED = 10  # evidence lines written into an accepted improvement's description
COMPLAINT = "complaint"  # the answer (any case) that makes a feedback request a complaint


# --- the window ---------------------------------------------------------------------------------------------

def feed_period(today=None):
    """The last IMPROVEMENT_FEED_DAYS days up to and including `today` (the site's today): (first, last)."""
    today = today or timezone.localdate(timezone=timezone.get_default_timezone())
    return today - datetime.timedelta(days=max(1, settings.IMPROVEMENT_FEED_DAYS) - 1), today


def _instants(first, last):
    """[start, end) covering the days first..last in the site's time zone (whoever runs the feeds)."""
    zone = timezone.get_default_timezone()
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min), zone)
    end = timezone.make_aware(datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min), zone)
    return start, end


def blocked_services(source, first, last):
    """The services that may not get a new `source` proposal for the window first..last: one pending, one
    accepted whose improvement is still open, or one dismissed for an overlapping window."""
    pending = Q(state=Proposal.State.PENDING)
    accepted_open = Q(state=Proposal.State.ACCEPTED, improvement__isnull=False) & ~Q(improvement__state=CLOSED)
    dismissed = Q(state=Proposal.State.DISMISSED, period_start__lte=last, period_end__gte=first)
    return set(Proposal.objects.filter(pending | accepted_open | dismissed, source=source)
               .values_list("service_id", flat=True))


# --- what counts --------------------------------------------------------------------------------------------

def breached_timers(start, end):
    """The SLA timers breached in [start, end) (cancelled ones never count: their counted_at is empty)."""
    from slm.models import SLATimer

    return SLATimer.objects.filter(counted_at__gte=start, counted_at__lt=end, breached_at__gte=start,
                                   breached_at__lt=end, ticket_service__isnull=False)


def complaint_answer_names():
    """The answer names that can mark a feedback request as a complaint: single-choice fields of feedback
    catalogue items offering a "Complaint" option (any case)."""
    from servicerequests.models import FieldType, ItemField, RequestType

    rows = ItemField.objects.filter(item__request_type=RequestType.FEEDBACK, type=FieldType.CHOICE).values_list(
        "name", "choices")
    return sorted({name for name, choices in rows
                   if any(str(choice).strip().lower() == COMPLAINT for choice in choices or [])})


def complaints(requests=None):
    """The rule of what a complaint is, in one place: a service request of request type `feedback` whose answer
    to one of complaint_answer_names() is "Complaint" (any case), not rejected or cancelled (a withdrawn
    complaint does not count). `requests` narrows a ServiceRequest queryset (default: all)."""
    from servicerequests.models import RequestType, ServiceRequest
    from servicerequests.workflow import REQUEST_WORKFLOW

    requests = ServiceRequest.objects.all() if requests is None else requests
    names = complaint_answer_names()
    if not names:
        return requests.none()
    aliases = {f"feed_answer_{i}": Lower(KeyTextTransform(name, "variables")) for i, name in enumerate(names)}
    marked = Q()
    for alias in aliases:
        marked |= Q(**{alias: COMPLAINT})
    return (requests.filter(request_type=RequestType.FEEDBACK).exclude(state__in=REQUEST_WORKFLOW.cancelled_states)
            .alias(**aliases).filter(marked))


def low_ratings(start, end):
    """Answered satisfaction surveys rated IMPROVEMENT_FEED_LOW_RATING or less in [start, end)."""
    from slm.models import SatisfactionSurvey

    return SatisfactionSurvey.objects.filter(answered_at__gte=start, answered_at__lt=end, rating__isnull=False,
                                             rating__lte=settings.IMPROVEMENT_FEED_LOW_RATING,
                                             ticket__service__isnull=False)


# --- proposing ----------------------------------------------------------------------------------------------

def _lock_feeds():
    """One run at a time (the beat job and a manager's "look now" may meet); SQLite's writer lock does this."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('improvement.run_feeds'))")


def _period(first, last):
    return {"start": first.isoformat(), "end": last.isoformat(), "days": (last - first).days + 1}


def describe(source, service_name, evidence, first, last):
    """(title, summary) of a proposal in the active language (stored in the site's; pages show the reader's)."""
    if source == Source.BREACH_TREND:
        return (_("Repeated SLA breaches on %(service)s") % {"service": service_name},
                _("%(count)s service level targets were breached on %(service)s from %(start)s to %(end)s "
                  "(the feed proposes from %(threshold)s).") % {
                    "count": evidence.get("total"), "service": service_name, "start": first, "end": last,
                    "threshold": evidence.get("threshold")})
    return (_("Complaints and low satisfaction on %(service)s") % {"service": service_name},
            _("%(complaints)s complaints and %(low)s satisfaction ratings of %(rating)s or less on "
              "%(service)s from %(start)s to %(end)s (the feed proposes from %(threshold)s).") % {
                "complaints": evidence.get("complaints"), "low": evidence.get("low_ratings"),
                "rating": evidence.get("low_rating"), "service": service_name, "start": first, "end": last,
                "threshold": evidence.get("threshold")})


def describe_proposal(proposal):
    """The proposal's title and summary in the reader's language."""
    return describe(proposal.source, proposal.service.name, proposal.evidence or {}, proposal.period_start,
                    proposal.period_end)


def _propose_breaches(first, last):
    from slm.models import Service

    start, end = _instants(first, last)
    threshold = settings.IMPROVEMENT_FEED_BREACHES
    per_metric = {}
    for service_id, metric, count in breached_timers(start, end).values_list(
            "ticket_service", "metric").annotate(n=Count("id")).order_by():
        per_metric.setdefault(service_id, {})[metric] = count
    due = {sid: metrics for sid, metrics in per_metric.items() if sum(metrics.values()) >= threshold}
    blocked = blocked_services(Source.BREACH_TREND, first, last) if due else set()
    due = {sid: metrics for sid, metrics in due.items() if sid not in blocked}
    names = dict(Service.objects.filter(pk__in=due).values_list("pk", "name")) if due else {}
    made = 0
    for service_id, metrics in sorted(due.items()):
        total = sum(metrics.values())
        rows = (breached_timers(start, end).filter(ticket_service_id=service_id)
                .order_by("-breached_at", "-id")
                .values_list("ticket_id", "ticket__number", "ticket__title", "ticket__kind", "metric",
                             "target__name", "breached_at")[:EVIDENCE_LIMIT])
        breaches = [{"ticket": ticket, "number": number, "title": title, "kind": kind, "metric": metric,
                     "target": target, "breached_at": at.isoformat()}
                    for ticket, number, title, kind, metric, target, at in rows]
        evidence = {"period": _period(first, last), "threshold": threshold, "total": total,
                    "by_metric": metrics, "breaches": breaches}
        with translation.override(settings.LANGUAGE_CODE):
            title, summary = describe(Source.BREACH_TREND, names[service_id], evidence, first, last)
        Proposal.objects.create(source=Source.BREACH_TREND, service_id=service_id, title=title[:200],
                                summary=summary, period_start=first, period_end=last, count=total,
                                evidence=evidence)
        made += 1
    return made


def _propose_feedback(first, last):
    from slm.models import Service

    start, end = _instants(first, last)
    threshold = settings.IMPROVEMENT_FEED_COMPLAINTS
    window = complaints().filter(created_at__gte=start, created_at__lt=end, service__isnull=False)
    counted = {}
    for service_id, count in window.values_list("service").annotate(n=Count("id")).order_by():
        counted.setdefault(service_id, [0, 0])[0] = count
    for service_id, count in low_ratings(start, end).values_list("ticket__service").annotate(
            n=Count("id")).order_by():
        counted.setdefault(service_id, [0, 0])[1] = count
    due = {sid: pair for sid, pair in counted.items() if sum(pair) >= threshold}
    blocked = blocked_services(Source.FEEDBACK, first, last) if due else set()
    due = {sid: pair for sid, pair in due.items() if sid not in blocked}
    names = dict(Service.objects.filter(pk__in=due).values_list("pk", "name")) if due else {}
    made = 0
    for service_id, (complaint_count, low_count) in sorted(due.items()):
        items = [{"type": "complaint", "ticket": pk, "number": number, "title": title, "kind": kind,
                  "at": at.isoformat()}
                 for pk, number, title, kind, at in window.filter(service_id=service_id).order_by("-created_at", "-id")
                 .values_list("pk", "number", "title", "kind", "created_at")[:EVIDENCE_LIMIT]]
        items += [{"type": "survey", "ticket": ticket, "number": number, "title": title, "kind": kind,
                   "rating": rating, "comment": comment[:500], "at": at.isoformat()}
                  for ticket, number, title, kind, rating, comment, at in low_ratings(start, end)
                  .filter(ticket__service_id=service_id).order_by("-answered_at", "-id")
                  .values_list("ticket_id", "ticket__number", "ticket__title", "ticket__kind", "rating", "comment",
                               "answered_at")[:EVIDENCE_LIMIT]]
        items.sort(key=lambda item: item["at"], reverse=True)
        total = complaint_count + low_count
        evidence = {"period": _period(first, last), "threshold": threshold, "total": total,
                    "complaints": complaint_count, "low_ratings": low_count,
                    "low_rating": settings.IMPROVEMENT_FEED_LOW_RATING, "items": items[:EVIDENCE_LIMIT]}
        with translation.override(settings.LANGUAGE_CODE):
            title, summary = describe(Source.FEEDBACK, names[service_id], evidence, first, last)
        Proposal.objects.create(source=Source.FEEDBACK, service_id=service_id, title=title[:200], summary=summary,
                                period_start=first, period_end=last, count=total, evidence=evidence)
        made += 1
    return made


@transaction.atomic
def run_feeds(today=None):
    """Propose what the data supports; returns {"breach_trend": n, "feedback": n} proposals made."""
    _lock_feeds()
    first, last = feed_period(today)
    return {Source.BREACH_TREND.value: _propose_breaches(first, last),
            Source.FEEDBACK.value: _propose_feedback(first, last)}


# --- deciding -----------------------------------------------------------------------------------------------

def _require_manager(actor):
    if not permissions.is_manager(actor):
        raise PermissionDeniedError(_("Only managers can accept or dismiss improvement proposals."))


def _require_staff(actor):
    if not permissions.is_agent(actor):
        raise PermissionDeniedError(_("Only service desk staff can turn this into an improvement."))


def _lock_pending(proposal):
    proposal = Proposal.objects.select_for_update(of=("self",)).select_related("service").get(pk=proposal.pk)
    if proposal.state != Proposal.State.PENDING:
        raise ValidationError({"state": [_("This proposal was already decided: %(state)s.") % {
            "state": proposal.get_state_display()}]})
    return proposal


def _moment(value):
    """An ISO instant from the evidence, as the reader's local "Y-m-d H:i"."""
    try:
        return timezone.localtime(datetime.datetime.fromisoformat(value)).strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError):
        return value or ""


def evidence_lines(proposal, limit=DESCRIBED):
    """The proposal's evidence as plain lines, newest first (an accepted improvement's description)."""
    evidence = proposal.evidence or {}
    lines = []
    if proposal.source == Source.BREACH_TREND:
        metrics = dict(_metric_labels())
        for item in evidence.get("breaches", [])[:limit]:
            lines.append(_("%(number)s %(title)s: %(metric)s target “%(target)s” breached %(at)s") % {
                "number": item.get("number"), "title": item.get("title"),
                "metric": metrics.get(item.get("metric"), item.get("metric")), "target": item.get("target"),
                "at": _moment(item.get("breached_at"))})
    else:
        for item in evidence.get("items", [])[:limit]:
            if item.get("type") == "survey":
                lines.append(_("%(number)s %(title)s: rated %(rating)s on %(at)s") % {
                    "number": item.get("number"), "title": item.get("title"), "rating": item.get("rating"),
                    "at": _moment(item.get("at"))} + (f" “{item['comment']}”" if item.get("comment") else ""))
            else:
                lines.append(_("%(number)s %(title)s: complaint raised %(at)s") % {
                    "number": item.get("number"), "title": item.get("title"), "at": _moment(item.get("at"))})
    return lines


def _metric_labels():
    from slm.models import ServiceLevelTarget

    return ServiceLevelTarget.Metric.choices


def _description(proposal):
    total = (proposal.evidence or {}).get("total", proposal.count)
    lines = evidence_lines(proposal)
    text = "\n".join([describe_proposal(proposal)[1], "", *(f"- {line}" for line in lines)])
    if total > len(lines):
        text += "\n" + _("…and %(more)s more: see the evidence.") % {"more": total - len(lines)}
    return text


@transaction.atomic
def accept(proposal, actor):
    """Turn a pending proposal into an improvement (stage vision, its evidence kept); returns the improvement."""
    _require_manager(actor)
    proposal = _lock_pending(proposal)
    service = proposal.service
    data = {"title": describe_proposal(proposal)[0][:255], "description": _description(proposal),
            "source": proposal.source,
            "services": [service], "evidence": {**(proposal.evidence or {}), "proposal": proposal.pk},
            "metric_service": service}
    if proposal.source == Source.BREACH_TREND:
        data["metric_name"] = MetricName.SLA_COMPLIANCE
        by_metric = (proposal.evidence or {}).get("by_metric") or {}
        if len(by_metric) == 1:  # every breach on one kind of timer: measure that one
            data["metric_timer"] = next(iter(by_metric))
    elif proposal.source == Source.FEEDBACK:
        data["metric_name"] = MetricName.CSAT
    improvement = services.create_improvement(actor, data)
    now = timezone.now()
    Proposal.objects.filter(pk=proposal.pk).update(state=Proposal.State.ACCEPTED, decided_by=actor, decided_at=now,
                                                   improvement=improvement)
    core_services._audit(improvement, actor, AuditAction.UPDATED, {
        "proposal": [None, _("Proposal #%(id)s accepted: %(title)s") % {"id": proposal.pk, "title": proposal.title}]})
    proposal.state, proposal.decided_by, proposal.decided_at = Proposal.State.ACCEPTED, actor, now
    proposal.improvement = improvement
    return improvement


@transaction.atomic
def dismiss(proposal, actor, reason):
    """Dismiss a pending proposal with the reason (kept); it is not proposed again for an overlapping window."""
    _require_manager(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the proposal is dismissed.")]})
    proposal = _lock_pending(proposal)
    proposal.state, proposal.decided_by, proposal.decided_at = Proposal.State.DISMISSED, actor, timezone.now()
    proposal.dismiss_reason = reason
    proposal.save(update_fields=["state", "decided_by", "decided_at", "dismiss_reason"])
    return proposal


# --- conversions --------------------------------------------------------------------------------------------

def _refuse_existing(field, existing):
    raise ValidationError({field: [_("This was already turned into improvement %(number)s.") % {
        "number": existing.number}]})


def converted_actions(action_ids):
    """{review action id: (improvement id, number)} of the actions already turned into improvements."""
    rows = Improvement.objects.filter(source_review_action_id__in=list(action_ids)).order_by("id").values_list(
        "source_review_action_id", "pk", "number")
    return {action_id: (pk, number) for action_id, pk, number in rows}


def converted_problem(problem_id):
    """The improvement made from a problem (or None)."""
    return (Improvement.objects.filter(source=Source.PROBLEM, source_ticket_id=problem_id).order_by("id")
            .only("id", "number", "title", "state").first())


@transaction.atomic
def from_review_action(action, actor):
    """An improvement from a service review action (source service_review, the review's service)."""
    from slm.models import ServiceReviewAction

    _require_staff(actor)
    action = ServiceReviewAction.objects.select_for_update(of=("self",)).select_related(
        "review__service", "review__organization", "owner").get(pk=action.pk)
    existing = Improvement.objects.filter(source_review_action_id=action.pk).order_by("id").first()
    if existing:
        _refuse_existing("action", existing)
    review = action.review
    owner = action.owner if action.owner_id and permissions.is_agent(action.owner) else None
    evidence = {
        "review": {"id": review.pk, "date": review.date.isoformat(), "period": review.reviewed_period,
                   "service": review.service.name,
                   "customer": review.organization.name if review.organization_id else None,
                   "findings": review.findings, "decisions": review.decisions},
        "action": {"id": action.pk, "description": action.description,
                   "owner": (action.owner.get_full_name() or action.owner.username) if action.owner_id else None,
                   "due_date": action.due_date.isoformat() if action.due_date else None, "status": action.status}}
    description = "\n\n".join(part for part in (
        _("From the service review of %(service)s on %(date)s (period %(period)s).") % {
            "service": review.service.name, "date": review.date.isoformat(), "period": review.reviewed_period},
        _("Action: %(action)s") % {"action": action.description},
        _("Findings: %(findings)s") % {"findings": review.findings} if review.findings else "") if part)
    data = {"title": action.description.splitlines()[0][:255] if action.description.strip() else str(action),
            "description": description, "source": Source.SERVICE_REVIEW, "services": [review.service],
            "organization": review.organization, "source_review_action": action, "evidence": evidence,
            "metric_service": review.service, "metric_organization": review.organization,
            "target_date": action.due_date}
    if owner is not None:
        data["owner"] = owner
    return services.create_improvement(actor, data)


@transaction.atomic
def from_problem(problem, actor):
    """An improvement from a problem whose fix needs investment (source problem, linked to the problem)."""
    from problems.models import Problem
    from problems.services import linked_incidents

    _require_staff(actor)
    problem = Problem.objects.select_for_update().get(pk=problem.pk)
    existing = converted_problem(problem.pk)
    if existing:
        _refuse_existing("problem", existing)
    affected = list(problem.affected_services.order_by("id"))
    chosen = list(dict.fromkeys(([problem.service] if problem.service_id else []) + affected))
    incidents = linked_incidents(problem).count()
    evidence = {"problem": {"id": problem.pk, "number": problem.number, "title": problem.title,
                            "known_error": problem.known_error},
                "root_cause": problem.root_cause, "workaround": problem.workaround, "incidents": incidents}
    description = "\n\n".join(part for part in (
        _("The permanent fix of %(number)s %(title)s needs investment.") % {"number": problem.number,
                                                                            "title": problem.title},
        _("Root cause: %(text)s") % {"text": problem.root_cause} if problem.root_cause.strip() else "",
        _("Workaround: %(text)s") % {"text": problem.workaround} if problem.workaround.strip() else "",
        _("Linked incidents: %(count)s") % {"count": incidents}) if part)
    data = {"title": (_("Fix %(number)s: %(title)s") % {"number": problem.number, "title": problem.title})[:255],
            "description": description, "source": Source.PROBLEM, "source_ticket": problem, "services": chosen,
            "evidence": evidence}
    if chosen:
        data["metric_service"] = chosen[0]
        data["metric_name"] = MetricName.INCIDENT_VOLUME
    improvement = services.create_improvement(actor, data)
    core_services.add_link(improvement, actor, problem, LinkKind.RELATED)
    return improvement
