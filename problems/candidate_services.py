"""Every write to trend-analysis candidates: recording a run's clusters with the memory of earlier decisions,
accepting one (which creates the problem) and dismissing one.

Memory of decisions. A new cluster is the same as an earlier candidate of the same dimension and value when at
least MATCH_SHARE of that candidate's incidents still inside the window are in the cluster (the candidate
with the largest overlap wins; each candidate matches one cluster at most). Then:
- proposed: its evidence is refreshed;
- dismissed: left alone, unless the cluster now has more incidents than when it was dismissed
  (dismissed_count): then it is proposed again with the new evidence;
- accepted: left alone (its incidents are linked to the problem, so they no longer take part anyway);
- no match: a new proposed candidate.
Proposed candidates that no cluster matched any more are deleted: they were suggestions nobody decided on,
and the next run proposes them again if they come back. Decided candidates are kept as the memory.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

import numpy as np

from core.models import LinkKind, TicketLink

from . import services as problem_services, trends
from .models import Candidate, Origin

MATCH_SHARE = 0.5
RUN_LOCK = 0x50524254  # "PRBT": one trend analysis writes at a time (PostgreSQL advisory lock)
DESCRIBED_INCIDENTS = 100
FIELDS = ("service", "configuration_item", "category")


def run_analysis(now=None):
    """Analyse the window ending now and record the clusters; returns a summary of counts."""
    now = now or timezone.now()
    clusters, incidents = trends.analyse(now)
    summary = record_clusters(clusters, incidents.ids, now)
    return {"incidents": len(incidents), "clusters": len(clusters), **summary}


def _in_window(ids, analysed):
    """The ids among `analysed` (a sorted numpy array)."""
    ids = np.asarray(ids, dtype=np.int64)
    if not len(ids) or not len(analysed):
        return set()
    positions = np.minimum(np.searchsorted(analysed, ids), len(analysed) - 1)
    return set(ids[analysed[positions] == ids].tolist())


def _evidence(cluster, now):
    values = {f"{name}_id": cluster.shared.get(name) for name in FIELDS}
    values[f"{cluster.dimension}_id"] = cluster.value
    return {"title": cluster.title, "terms": cluster.terms, "incident_ids": cluster.incident_ids,
            "incident_count": cluster.incident_count, "first_seen": cluster.first_seen,
            "last_seen": cluster.last_seen, "score": cluster.score, "updated_at": now, **values}


def _serialise_runs():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [RUN_LOCK])


@transaction.atomic
def record_clusters(clusters, analysed_ids, now=None):
    """Create, refresh, re-propose or delete candidates for this run's clusters (see the module docstring)."""
    now = now or timezone.now()
    _serialise_runs()
    analysed = np.sort(np.asarray(analysed_ids, dtype=np.int64))
    since = now - timedelta(days=trends.options()["window_days"])
    existing = list(Candidate.objects.select_for_update()
                    .filter(Q(status=Candidate.Status.PROPOSED) | Q(last_seen__gte=since)).order_by("id"))
    by_value = {}
    for candidate in existing:
        value = getattr(candidate, f"{candidate.dimension}_id")
        by_value.setdefault((candidate.dimension, value), []).append(candidate)
    matched, summary = set(), {"created": 0, "updated": 0, "reproposed": 0, "unchanged": 0, "removed": 0}
    for cluster in sorted(clusters, key=lambda c: -c.score):
        members = set(cluster.incident_ids)
        best, best_overlap = None, 0
        for candidate in by_value.get((cluster.dimension, cluster.value), ()):
            if candidate.pk in matched:
                continue
            still = _in_window(candidate.incident_ids, analysed)
            overlap = len(still & members)
            if still and overlap >= MATCH_SHARE * len(still) and overlap > best_overlap:
                best, best_overlap = candidate, overlap
        if best is None:
            Candidate.objects.create(status=Candidate.Status.PROPOSED, dimension=cluster.dimension, created_at=now,
                                     **_evidence(cluster, now))
            summary["created"] += 1
            continue
        matched.add(best.pk)
        if best.status == Candidate.Status.PROPOSED:
            _refresh(best, cluster, now)
            summary["updated"] += 1
        elif best.status == Candidate.Status.DISMISSED and cluster.incident_count > (best.dismissed_count or 0):
            best.status = Candidate.Status.PROPOSED
            _refresh(best, cluster, now)
            summary["reproposed"] += 1
        else:
            summary["unchanged"] += 1
    stale = [c.pk for c in existing if c.status == Candidate.Status.PROPOSED and c.pk not in matched]
    if stale:
        summary["removed"] = Candidate.objects.filter(pk__in=stale, status=Candidate.Status.PROPOSED).delete()[0]
    return summary


def _refresh(candidate, cluster, now):
    for name, value in _evidence(cluster, now).items():
        setattr(candidate, name, value)
    candidate.save()


def _lock(candidate):
    return Candidate.objects.select_for_update(of=("self",)).select_related("problem").get(pk=candidate.pk)


def _open_incidents(ids):
    """The candidate's incidents that can still be linked: existing, not cancelled, not linked to a problem."""
    from incidents.models import Incident
    from incidents.workflow import WORKFLOW

    linked = TicketLink.objects.filter(source_id=OuterRef("pk"), kind=LinkKind.CAUSED_BY, target__kind="problem")
    return list(Incident.objects.filter(pk__in=ids).exclude(state__in=WORKFLOW.cancelled_states)
                .exclude(Exists(linked)).order_by("created_at", "id"))


def describe(candidate, incidents):
    """The new problem's description: the evidence trend analysis found."""
    shared = [f"{field.verbose_name}: {getattr(candidate, field.name)}" for field in
              (Candidate._meta.get_field(name) for name in FIELDS) if getattr(candidate, f"{field.name}_id")]
    numbers = [incident.number for incident in incidents[:DESCRIBED_INCIDENTS]]
    lines = [
        _("Proposed by trend analysis: %(count)s similar incidents between %(first)s and %(last)s.") % {
            "count": len(incidents), "first": candidate.first_seen.date().isoformat(),
            "last": candidate.last_seen.date().isoformat()},
        _("Shared by: %(dimension)s.") % {"dimension": candidate.get_dimension_display()},
        *shared,
        _("Common terms: %(terms)s") % {"terms": candidate.terms or "-"},
        _("Incidents: %(numbers)s") % {"numbers": ", ".join(numbers)},
    ]
    if len(incidents) > DESCRIBED_INCIDENTS:
        lines.append(_("... and %(more)s more.") % {"more": len(incidents) - DESCRIBED_INCIDENTS})
    return "\n".join(lines)


@transaction.atomic
def accept_candidate(candidate, actor):
    """Create the problem from the candidate and link its incidents; returns (problem, created).

    Idempotent: the candidate row is locked, so a second accept (a double click) returns the same problem."""
    candidate = _lock(candidate)
    if candidate.status == Candidate.Status.ACCEPTED:
        if candidate.problem_id:
            return candidate.problem, False
        raise ValidationError(_("This candidate was accepted and its problem no longer exists."))
    incidents = _open_incidents(candidate.incident_ids)
    if not incidents:
        raise ValidationError(_("None of these incidents can be linked any more: they were cancelled, deleted "
                                "or linked to another problem."))
    problem = problem_services.create_problem(actor, {
        "title": candidate.title, "description": describe(candidate, incidents), "origin": Origin.TREND_ANALYSIS,
        "service": candidate.service_id, "configuration_item": candidate.configuration_item_id,
        "category": candidate.category_id, "incidents": incidents})
    candidate.status = Candidate.Status.ACCEPTED
    candidate.problem = problem
    candidate.decided_by = actor
    candidate.decided_at = timezone.now()
    candidate.save(update_fields=["status", "problem", "decided_by", "decided_at"])
    return problem, True


@transaction.atomic
def dismiss_candidate(candidate, actor):
    """Remember the dismissal and the incident count then: not proposed again unless the cluster grows."""
    candidate = _lock(candidate)
    if candidate.status == Candidate.Status.ACCEPTED:
        raise ValidationError(_("An accepted candidate cannot be dismissed."))
    if candidate.status != Candidate.Status.DISMISSED:
        candidate.status = Candidate.Status.DISMISSED
        candidate.dismissed_count = candidate.incident_count
        candidate.decided_by = actor
        candidate.decided_at = timezone.now()
        candidate.save(update_fields=["status", "dismissed_count", "decided_by", "decided_at"])
    return candidate
