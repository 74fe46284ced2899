"""Problem management reports: aggregations in SQL, each bounded in rows.

- open problems by age band and service: problems not closed or cancelled (a resolved problem whose fix is
  still being verified is open work), by days since they were raised;
- incidents linked to known errors: per known error, the incidents created in the period linked to it (caused by);
- incidents resolved by a workaround: incidents whose workaround was applied before they were resolved, resolved
  in the period and still resolved or closed (cancelled and reopened incidents do not count);
- recurrence after a fix: for problems closed with a permanent fix, the incidents created after the fix
  (resolved_at) that are linked to the problem, or share its configuration item (or its service and category)
  and read alike (matching.text_similarities >= RECURRENCE_TEXT_MIN). Cancelled incidents do not count.
"""

from datetime import timedelta

from django.db.models import Case, CharField, Count, F, Q, Value, When
from django.utils import timezone

from core.models import LinkKind, TicketLink
from core.periods import Period  # noqa: F401  (the reports take one)
from incidents import workflow as incident_workflow
from incidents.models import Incident
from slm.models import Service

from . import matching, workflow
from .models import Problem, ResolutionCode, WorkaroundApplication

AGE_BANDS = (("0-7", 0, 7), ("8-30", 8, 30), ("31-90", 31, 90), (">90", 91, None))
ROW_LIMIT = 100  # rows of a per-problem table
RECURRENCE_PROBLEMS = 50  # most recently fixed problems examined
RECURRENCE_INCIDENTS = 2000  # candidate incidents fetched for them, newest first
RECURRENCE_TEXT_MIN = 0.3


def open_problems():
    return Problem.objects.filter(kind=Problem.TICKET_KIND).exclude(state__in=workflow.WORKFLOW.closed_states)


def open_by_age_and_service(now=None):
    """{"bands": [labels], "rows": [{service, counts: [per band], total}], "totals": [...], "total": n}."""
    now = now or timezone.now()
    whens = [When(created_at__gt=now - timedelta(days=high + 1), then=Value(label))
             for label, _low, high in AGE_BANDS if high is not None]
    band = Case(*whens, default=Value(AGE_BANDS[-1][0]), output_field=CharField())
    grouped = (open_problems().annotate(band=band).values("service_id", "band").annotate(n=Count("pk"))
               .order_by())
    labels = [label for label, _low, _high in AGE_BANDS]
    by_service = {}
    for row in grouped:
        counts = by_service.setdefault(row["service_id"], dict.fromkeys(labels, 0))
        counts[row["band"]] += row["n"]
    names = dict(Service.objects.filter(pk__in=[pk for pk in by_service if pk]).values_list("pk", "name"))
    rows = [{"service_id": pk, "service": names.get(pk, ""), "counts": [counts[label] for label in labels],
             "total": sum(counts.values())} for pk, counts in by_service.items()]
    rows.sort(key=lambda row: (row["service_id"] is None, row["service"].lower()))
    totals = [sum(row["counts"][i] for row in rows) for i in range(len(labels))]
    return {"bands": labels, "rows": rows, "totals": totals, "total": sum(totals)}


def incidents_per_known_error(period, limit=ROW_LIMIT):
    """[{problem_id, number, title, incidents}] for known errors, incidents created in the period, most first."""
    return list(TicketLink.objects.filter(
        kind=LinkKind.CAUSED_BY, source__kind=Incident.TICKET_KIND, target__kind=Problem.TICKET_KIND,
        target__problem__known_error=True, source__created_at__gte=period.start, source__created_at__lt=period.end)
        .values(problem_id=F("target_id"), number=F("target__number"), title=F("target__title"))
        .annotate(incidents=Count("source_id", distinct=True)).order_by("-incidents", "-problem_id")[:limit])


def _resolved_by_workaround(period):
    return WorkaroundApplication.objects.filter(
        incident__state__in=(incident_workflow.RESOLVED, incident_workflow.CLOSED),
        incident__resolved_at__gte=period.start, incident__resolved_at__lt=period.end,
        applied_at__lte=F("incident__resolved_at"))


def resolved_by_workaround(period, limit=ROW_LIMIT):
    """{"total": distinct incidents, "rows": [{problem_id, number, title, incidents}]} for the period."""
    applications = _resolved_by_workaround(period)
    total = applications.values("incident_id").distinct().count()
    rows = list(applications.values("problem_id", number=F("problem__number"), title=F("problem__title"))
                .annotate(incidents=Count("incident_id", distinct=True))
                .order_by("-incidents", "-problem_id")[:limit])
    return {"total": total, "rows": rows}


def _fixed_problems(period, limit):
    return list(Problem.objects.filter(kind=Problem.TICKET_KIND, state=workflow.CLOSED,
                                       resolution_code=ResolutionCode.FIX_APPLIED, resolved_at__isnull=False,
                                       resolved_at__lt=period.end)
                .only(*matching.CANDIDATE_FIELDS).order_by("-resolved_at", "-id")[:limit])


def _same_ground(problem, incident):
    if problem.configuration_item_id and incident.configuration_item_id == problem.configuration_item_id:
        return True
    return bool(problem.service_id and incident.service_id == problem.service_id
                and (not problem.category_id or incident.category_id == problem.category_id))


def recurrence_after_fix(period, limit=RECURRENCE_PROBLEMS):
    """[{problem, fixed_at, incidents: [incident], linked: n, matching: n}] for fixed problems with incidents
    created after the fix and before the period's end; most recently fixed first."""
    problems = _fixed_problems(period, limit)
    if not problems:
        return []
    after = min(p.resolved_at for p in problems)
    live = Incident.objects.filter(kind=Incident.TICKET_KIND, created_at__gt=after, created_at__lt=period.end) \
        .exclude(state=incident_workflow.CANCELLED)
    linked = {}
    for problem_id, incident_id in TicketLink.objects.filter(
            kind=LinkKind.CAUSED_BY, target_id__in=[p.pk for p in problems],
            source_id__in=live.values("pk")).values_list("target_id", "source_id"):
        linked.setdefault(problem_id, set()).add(incident_id)
    ground = Q(configuration_item_id__in={p.configuration_item_id for p in problems} - {None}) | \
        Q(service_id__in={p.service_id for p in problems} - {None})
    fields = ("id", "number", "title", "description", "state", "created_at", "service_id", "configuration_item_id",
              "category_id", "kind")
    pool = list(live.filter(ground | Q(pk__in=[pk for ids in linked.values() for pk in ids]))
                .only(*fields).order_by("-created_at", "-id")[:RECURRENCE_INCIDENTS])
    report = []
    for problem in problems:
        own = linked.get(problem.pk, set())
        later = [i for i in pool if i.created_at > problem.resolved_at]
        alike = [i for i in later if i.pk not in own and _same_ground(problem, i)]
        texts = matching.similarities_to_problem(
            problem, [matching._document(i.title, i.description) for i in alike]) if alike else []
        matched = {i.pk for i, text in zip(alike, texts) if text >= RECURRENCE_TEXT_MIN}
        incidents = [i for i in later if i.pk in own or i.pk in matched]
        if incidents:
            report.append({"problem": problem, "fixed_at": problem.resolved_at, "incidents": incidents[:ROW_LIMIT],
                           "linked": len([i for i in incidents if i.pk in own]), "matching": len(matched)})
    return report
