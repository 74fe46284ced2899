"""Every write of event management: accepting events (the hot path), processing them into alerts, and the
incident actions that follow (open, attach, note, resolve, never silently reopen a closed one)."""

import json
import logging
import time
from dataclasses import dataclass, field
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import permissions
from core import services as core_services
from core.models import Channel, LinkKind
from incidents import services as incident_services
from incidents import workflow as incident_workflow
from incidents.models import ResolutionCode

from . import correlation, formats, mapping
from .batch import AlertSet
from .dispatch import dispatch
from .models import SEVERITY_RANK, Alert, Event, IncidentRule, Severity

log = logging.getLogger(__name__)

MONITORING_USERNAME = "monitoring"
REPEAT_NOTE_INTERVAL = timedelta(seconds=getattr(settings, "EVENTS_REPEAT_NOTE_INTERVAL", 300))
PENDING_BATCH = 200
PROCESS_BUDGET_SECONDS = 40  # the tasks' soft time limit is 120 s
MAX_ATTEMPTS = 5
RETRY_BASE = timedelta(minutes=1)


# --- accepting (the hot path: validate, store, answer) --------------------------------------

@dataclass
class Accepted:
    ids: list  # one per stored row, in request order; a retried row gives its original id
    created: int


def _header_key(header_key, index, count):
    return header_key if count == 1 else f"{header_key[:190]}:{index}"  # fits the 200 characters


def _keys(raws, header_key):
    """Each row's idempotency key: its own, else the header's (suffixed with the position in a batch)."""
    keys = []
    for index, raw in enumerate(raws):
        key = raw.idempotency_key
        if key is None and header_key:
            key = _header_key(header_key, index, len(raws))
        keys.append(key)
    return keys


def _probe_keys(raws, header_key):
    """Header-derived keys this body does NOT use but a body of another size would have stored: the single
    key for a batch, the first suffixed key for a single row, the next index after the last row."""
    if not header_key:
        return set()
    count = len(raws)
    probes = {header_key, _header_key(header_key, 0, 2), _header_key(header_key, count, count + 1)}
    return probes - {_header_key(header_key, index, count) for index in range(count)}


class IdempotencyConflict(Exception):
    """An idempotency key reused by the same account and source for a different body."""


def _existing(raws, keys, account_id, header_key=None):
    """{(source, key): id} of the rows this account already stored under these keys; a key whose stored
    payload differs from the one sent now raises IdempotencyConflict, and so does a header key whose earlier
    request split into another number of rows (its rows were stored all or none, in one INSERT)."""
    wanted = {(raw.source, key): raw.payload for raw, key in zip(raws, keys) if key}
    if not wanted:
        return {}
    probes = {(raw.source, key) for raw in raws if raw.idempotency_key is None
              for key in _probe_keys(raws, header_key)}
    rows = Event.objects.filter(account_id=account_id, source__in={source for source, _key in wanted},
                                idempotency_key__in={key for _source, key in [*wanted, *probes]}).values_list(
        "source", "idempotency_key", "id", "payload")
    found = {}
    for source, key, pk, payload in rows:
        if (source, key) in probes and (source, key) not in wanted:
            raise IdempotencyConflict(key)
        if (source, key) in wanted:
            if payload != wanted[(source, key)]:
                raise IdempotencyConflict(key)
            found[(source, key)] = pk
    from_header = {(raw.source, key) for raw, key in zip(raws, keys) if raw.idempotency_key is None and key}
    if found.keys() & from_header and not from_header <= found.keys():
        raise IdempotencyConflict(header_key)
    return found


class _NewRow:
    __slots__ = ("source", "payload", "key", "pk")

    def __init__(self, source, payload, key):
        self.source, self.payload, self.key, self.pk = source, payload, key, None


# Written by _insert_rows; tests/events compare its rows with the ORM's, so a new column is noticed.
INSERT_FIELDS = ("source", "format", "payload", "received_at", "idempotency_key", "account", "processed_at",
                 "error", "attempts", "retry_at")


def _insert_rows(format_name, new, account_id=None):
    """One INSERT ... RETURNING id for the new rows, without the ORM's per-field preparation and model
    instances (a third of a 100-event batch's time). A single statement: atomic without BEGIN/COMMIT.

    On PostgreSQL the rows come as three arrays unnested side by side (sources, one JSON array of the payloads,
    keys), the other columns being the same for all: a 100-row batch is then ~30% cheaper for the database than
    a VALUES list of ten parameters a row, and the payloads are serialized in one call. Identity values are drawn in the order the rows are inserted, so the returned ids,
    sorted, are the rows' in order."""
    connection = transaction.get_connection()
    ops = connection.ops
    meta = Event._meta
    table, pk = ops.quote_name(meta.db_table), ops.quote_name(meta.pk.column)
    columns = ", ".join(ops.quote_name(meta.get_field(name).column) for name in INSERT_FIELDS)
    received_at = ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT t.source, %s, t.payload, %s, t.key, %s, NULL, '', 0, NULL "
                f"FROM ROWS FROM (unnest(%s::text[]), jsonb_array_elements(%s::jsonb), unnest(%s::text[])) "
                f"WITH ORDINALITY AS t(source, payload, key, n) ORDER BY t.n RETURNING {pk}",
                [format_name, received_at, account_id, [row.source for row in new],
                 json.dumps([row.payload for row in new]), [row.key for row in new]])
            ids = sorted(pk for (pk,) in cursor.fetchall())
        else:
            placeholders = "(" + ", ".join(["%s"] * len(INSERT_FIELDS)) + ")"
            params = []
            for row in new:
                params += [row.source, format_name, json.dumps(row.payload), received_at, row.key, account_id, None,
                           "", 0, None]
            cursor.execute(f"INSERT INTO {table} ({columns}) VALUES {', '.join([placeholders] * len(new))} "
                           f"RETURNING {pk}", params)
            ids = [pk for (pk,) in cursor.fetchall()]
    for row, pk in zip(new, ids):
        row.pk = pk


def _insert(format_name, new, account_id=None):
    """Outside a transaction the INSERT is one autocommit statement; inside one, a savepoint lets the caller
    recover from a concurrent duplicate key."""
    if transaction.get_connection().in_atomic_block:
        with transaction.atomic():
            _insert_rows(format_name, new, account_id)
    else:
        _insert_rows(format_name, new, account_id)


def accept(format_name, raws, header_key=None, account=None):
    """Store the raw events (one INSERT for a batch) and queue their processing once committed. Idempotency
    keys are the posting account's: a reused key with another body raises IdempotencyConflict."""
    keys = _keys(raws, header_key)
    account_id = getattr(account, "pk", None)
    for attempt in (1, 2):
        existing = _existing(raws, keys, account_id, header_key)
        slots, new, fresh = [], [], {}
        for raw, key in zip(raws, keys):
            ident = (raw.source, key) if key else None
            if ident in existing or ident in fresh:  # a retry, or the same key twice in one request
                slots.append(existing.get(ident) or fresh[ident])
                continue
            row = _NewRow(raw.source, raw.payload, key)
            new.append(row)
            slots.append(row)
            if ident:
                fresh[ident] = row
        if not new:
            break
        try:
            _insert(format_name, new, account_id)
            break
        except IntegrityError:
            if attempt == 2:  # a concurrent retry stored the same key between our read and our insert
                raise
    if new:
        transaction.on_commit(lambda ids=[row.pk for row in new]: dispatch(ids))
    return Accepted([slot if isinstance(slot, int) else slot.pk for slot in slots], len(new))


# --- processing ---------------------------------------------------------------------------
#
# A batch is applied in event order against its alerts held in memory (events/batch.py): repeats only change
# counters there, and the alerts are written back together at the end. Incidents are opened, noted, reopened
# and resolved through the incident services as they come (each change audited). Without a savepoint per
# event: if one fails, the batch's work is rolled back, that event is recorded as failed and the others are
# applied again one by one, each in its own savepoint, with the alerts written after each.

@dataclass
class Context:
    """What processing a batch reads once: the acting system user, the admins' rules, and the batch's alerts,
    CI lookups and CMDB walks."""

    actor: object
    mapping_rules: list = field(default_factory=mapping.active_rules)
    incident_rules: list = field(default_factory=lambda: list(
        IncidentRule.objects.filter(active=True).select_related("ci_class").order_by("order", "id")))
    alerts: AlertSet = field(default_factory=AlertSet)
    cis: mapping.CILookup = field(default_factory=mapping.CILookup)
    upstream: dict = field(default_factory=dict)


def monitoring_actor():
    """The service account that writes monitoring's incidents and work notes (an agent that cannot log in)."""
    user, created = get_user_model().objects.get_or_create(
        username=MONITORING_USERNAME, defaults={"first_name": "Monitoring", "is_active": False})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    if not permissions.is_agent(user):
        user.groups.add(Group.objects.get_or_create(name=permissions.AGENT)[0])
        user.__dict__.pop("_role_names", None)
    return user


def _failed(event, exc):
    """Record a failure: retried after 1, 2, 4, 8 minutes, then left (processed, with its error) for an agent."""
    log.error("events: event %s failed (attempt %d)", event.pk, event.attempts + 1, exc_info=exc)
    event.error = f"{type(exc).__name__}: {exc}"[:2000]
    event.attempts += 1
    if event.attempts < MAX_ATTEMPTS:
        event.retry_at = timezone.now() + RETRY_BASE * 2 ** (event.attempts - 1)
    else:
        event.retry_at, event.processed_at = None, timezone.now()


class _EventFailed(Exception):
    """An event of a batch applied together failed (index None: writing the alerts back failed)."""

    def __init__(self, index, exc):
        super().__init__(index, exc)
        self.index, self.exc = index, exc


def process_events(event_ids):
    """Process the given unprocessed events in one transaction (one commit per batch; a failing event records
    its error without undoing the others); returns how many were processed. Stops after
    PROCESS_BUDGET_SECONDS, well inside the task's time limit, and queues the rest."""
    context = Context(monitoring_actor())
    started = time.monotonic()
    with transaction.atomic():
        events = list(Event.objects.select_for_update(skip_locked=True)  # others: done, or another worker's
                      .filter(_due(), pk__in=list(event_ids), processed_at__isnull=True).order_by("pk"))
        work, failed = [], []
        for event in events:
            try:
                work.append((event, formats.get(event.format).signals(event.payload)))
            except Exception as exc:
                _failed(event, exc)
                failed.append(event)
        signals = [signal for _event, event_signals in work for signal in event_signals]
        context.alerts.load({signal.fingerprint for signal in signals})
        context.cis.prefetch([signal for signal in signals if signal.severity != Severity.CLEAR
                              and signal.fingerprint not in context.alerts.open])
        try:
            handled = _apply_together(work, context, started)
        except _EventFailed as failure:
            context.alerts.reset()
            handled = []
            if failure.index is not None:
                event = work[failure.index][0]
                _failed(event, failure.exc)
                failed.append(event)
                handled.append(event)
                work = work[:failure.index] + work[failure.index + 1:]
            _apply_one_by_one(work, context, started, handled, failed)
        except SoftTimeLimitExceeded:  # the task's limit, not the events' fault: queued again untouched
            handled = []
        _mark(handled, failed)
        done = {event.pk for event in [*handled, *failed]}
        rest = [event.pk for event in events if event.pk not in done]
        if rest:
            transaction.on_commit(lambda: dispatch(rest))
    return len(done)


def _over_budget(done, started):
    return done and time.monotonic() - started >= PROCESS_BUDGET_SECONDS


def _apply_together(work, context, started):
    """Apply the events in order in one savepoint and write the alerts back; the events applied (all of them
    unless the time budget ran out). Any failure rolls all of it back and raises _EventFailed."""
    done = []
    with transaction.atomic():
        for index, (event, signals) in enumerate(work):
            if _over_budget(done, started):
                break
            try:
                for signal in signals:
                    apply_signal(signal, context)
            except SoftTimeLimitExceeded:
                raise
            except Exception as exc:
                raise _EventFailed(index, exc) from exc
            done.append(event)
        try:
            context.alerts.flush()
        except Exception as exc:
            raise _EventFailed(None, exc) from exc
    return done


def _apply_one_by_one(work, context, started, handled, failed):
    """After a failure: each event in its own savepoint, the alerts written at its end; a failing event is
    recorded and the alerts read again. Appends the events it got to to `handled`, the failed ones to `failed`."""
    for event, signals in work:
        if _over_budget(handled, started):
            break
        try:
            with transaction.atomic():
                for signal in signals:
                    apply_signal(signal, context)
                context.alerts.flush()
        except SoftTimeLimitExceeded:
            break
        except Exception as exc:
            _failed(event, exc)
            failed.append(event)
            context.alerts.reset()
        handled.append(event)


def _mark(handled, failed):
    """Processed events in one UPDATE; failed ones keep their error and next retry."""
    failed_pks = {event.pk for event in failed}
    ok = [event.pk for event in handled if event.pk not in failed_pks]
    if ok:
        Event.objects.filter(pk__in=ok).update(processed_at=timezone.now(), error="", retry_at=None)
    if failed:
        Event.objects.bulk_update(failed, ["processed_at", "error", "attempts", "retry_at"])


def _due():
    """Not waiting for a retry (a redelivered message must not cut a failed event's backoff short)."""
    return Q(retry_at__isnull=True) | Q(retry_at__lte=timezone.now())


def pending_batch(batch_size=PENDING_BATCH):
    """Ids of unprocessed events not locked by a worker and not waiting for a retry, oldest first."""
    with transaction.atomic():
        return list(Event.objects.select_for_update(skip_locked=True).filter(_due(), processed_at__isnull=True)
                    .order_by("pk").values_list("pk", flat=True)[:batch_size])


def apply_signal(signal, context):
    """Fold one signal into the batch's alerts: clear, repeat (dedup) or a new alert."""
    seen = signal.time or timezone.now()
    if signal.severity == Severity.CLEAR:
        return _clear(signal, seen, context)
    alert = context.alerts.get(signal.fingerprint)
    if alert is not None:
        return _repeat(alert, signal, seen, context)
    ci = mapping.resolve_ci(signal, context.mapping_rules, context.cis)
    alert = Alert(fingerprint=signal.fingerprint, source=signal.source, node=signal.node[:255],
                  check_name=signal.check[:255], severity=signal.severity, message=signal.message, labels=signal.labels,
                  configuration_item=ci, service=ci.service if ci else None, first_seen=seen, last_seen=seen)
    context.alerts.add(alert)
    _open_or_attach_incident(alert, context)
    return alert


def _repeat(alert, signal, seen, context):
    escalated = SEVERITY_RANK[signal.severity] < SEVERITY_RANK[alert.severity]
    alert.count += 1
    alert.last_seen = max(alert.last_seen, seen)
    alert.severity = signal.severity
    alert.message = signal.message or alert.message
    context.alerts.touch(alert)
    incident = alert.incident
    if incident is None:
        if escalated:  # a rule may match now
            _open_or_attach_incident(alert, context)
        return alert
    if incident.state in incident_workflow.WORKFLOW.closed_states:
        _open_incident(alert, context, previous=incident)
        return alert
    if incident.state in incident_workflow.WORKFLOW.resolved_states:
        _reopen(incident, alert, context)
    elif alert.last_note_at is None or timezone.now() - alert.last_note_at >= REPEAT_NOTE_INTERVAL:
        core_services.add_comment(incident, context.actor, _(
            "Monitoring: %(check)s on %(node)s is still %(severity)s; seen %(count)d times, last at %(last)s.") % {
            "check": alert.check_name, "node": alert.node or "?", "severity": alert.get_severity_display(),
            "count": alert.count, "last": alert.last_seen.isoformat(timespec="seconds")}, internal=True)
        alert.last_note_at = timezone.now()
    return alert


def _clear(signal, seen, context):
    alert = context.alerts.get(signal.fingerprint)
    if alert is None:
        return None
    alert.state = Alert.State.CLOSED
    alert.closed_at = timezone.now()
    alert.last_seen = max(alert.last_seen, seen)
    context.alerts.close(alert)
    incident = alert.incident
    if incident is None or incident.state not in incident_workflow.WORKFLOW.open_states:
        return alert
    context.alerts.flush()  # the count below reads the alerts of this incident
    still_open = Alert.objects.filter(incident=incident, state=Alert.State.OPEN).count()
    auto_resolve = settings.EVENTS_AUTO_RESOLVE and (alert.rule is None or alert.rule.auto_resolve)
    if still_open or not auto_resolve:
        core_services.add_comment(incident, context.actor, _(
            "Monitoring: %(check)s on %(node)s cleared; %(open)d alert(s) on this incident are still open.") % {
            "check": alert.check_name, "node": alert.node or "?", "open": still_open}, internal=True)
        return alert
    context.alerts.incident_changed(incident_services.transition_incident(
        incident, context.actor, incident_workflow.RESOLVED,
        {"resolution_code": ResolutionCode.SOLVED_PERMANENTLY,
         "resolution_notes": _("Cleared by monitoring: %(check)s on %(node)s.") % {
             "check": alert.check_name, "node": alert.node or "?"}}))
    return alert


# --- incidents ----------------------------------------------------------------------------

def matching_rule(alert, rules):
    """The first active IncidentRule whose conditions the alert meets, or None."""
    rank = SEVERITY_RANK[alert.severity]
    for rule in rules:
        if rule.source and rule.source != alert.source:
            continue
        if rank > SEVERITY_RANK[rule.min_severity]:
            continue
        if rule.ci_class_id and (alert.configuration_item_id is None
                                 or alert.configuration_item.ci_class_id != rule.ci_class_id):
            continue
        if rule.max_service_criticality and (
                alert.service_id is None or alert.service.criticality > rule.max_service_criticality):
            continue
        return rule
    return None


def _open_or_attach_incident(alert, context):
    earlier = context.alerts.earlier_alert(alert.fingerprint)
    if earlier is not None:
        incident = earlier.incident
        if incident.state not in incident_workflow.WORKFLOW.closed_states:
            alert.incident, alert.rule = incident, earlier.rule
            context.alerts.touch(alert)
            if incident.state in incident_workflow.WORKFLOW.resolved_states:
                _reopen(incident, alert, context)
            else:
                _note_attached(incident, alert, context, _("the same condition fired again"))
            return
    found = None
    if alert.configuration_item_id:
        context.alerts.flush()  # correlation reads the open alerts, this batch's too
        found = correlation.find(alert, context.upstream)
    if found is not None:
        alert.incident, alert.rule = context.alerts.incident(found.alert.incident), found.alert.rule
        context.alerts.touch(alert)
        _note_attached(alert.incident, alert, context, _(
            "it shares the upstream configuration item %(ci)s with alert %(other)s on %(node)s") % {
            "ci": found.shared_ci_name, "other": found.alert.check_name, "node": found.alert.node or "?"})
        return
    _open_incident(alert, context, previous=earlier.incident if earlier else None)


def _open_incident(alert, context, previous=None):
    rule = matching_rule(alert, context.incident_rules)
    if rule is None or not rule.open_incident:
        if alert.incident_id and previous is not None:  # its incident is closed: detach, the console shows it
            alert.incident = None
            context.alerts.touch(alert)
        return None
    labels = "\n".join(f"{k}: {v}" for k, v in sorted(alert.labels.items()))
    description = "\n\n".join(part for part in (alert.message, _("Source: %(source)s, node: %(node)s") % {
        "source": alert.source, "node": alert.node or "?"}, labels) if part)
    incident = incident_services.create_incident(context.actor, {
        "title": (_("%(check)s on %(node)s") % {"check": alert.check_name, "node": alert.node or "?"})[:255],
        "description": description, "impact": rule.impact, "urgency": rule.urgency, "team": rule.team_id,
        "channel": Channel.MONITORING, "configuration_item": alert.configuration_item,
        "service": alert.service_id,
    })
    alert.incident, alert.rule = context.alerts.incident(incident), rule
    context.alerts.touch(alert)
    if previous is not None:
        core_services.add_link(incident, context.actor, previous, LinkKind.RELATED)
        core_services.add_comment(incident, context.actor, _(
            "Monitoring: %(check)s on %(node)s fired again after %(number)s was closed; this new incident is "
            "linked to it.") % {"check": alert.check_name, "node": alert.node or "?", "number": previous.number},
            internal=True)
    return incident


def _reopen(incident, alert, context):
    context.alerts.incident_changed(incident_services.transition_incident(
        incident, context.actor, incident_workflow.IN_PROGRESS, comment=_(
            "Monitoring: reopened because %(check)s on %(node)s fired again (%(severity)s).") % {
            "check": alert.check_name, "node": alert.node or "?", "severity": alert.get_severity_display()},
        internal_comment=True))
    alert.last_note_at = timezone.now()
    context.alerts.touch(alert)


def _note_attached(incident, alert, context, reason):
    core_services.add_comment(incident, context.actor, _(
        "Monitoring: alert %(check)s on %(node)s (%(severity)s) attached to this incident because %(reason)s.") % {
        "check": alert.check_name, "node": alert.node or "?", "severity": alert.get_severity_display(),
        "reason": reason}, internal=True)
    alert.last_note_at = timezone.now()
    context.alerts.touch(alert)


def queue_sweep():
    from .tasks import process_pending

    try:
        process_pending.apply_async(retry=False)
    except Exception as exc:
        log.warning("events: could not re-queue the sweep (%s); beat runs it again", exc)
