"""Every write of service level management: catalogue, agreements, targets, calendars, SLA audit, repair."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from core.context import request_id
from core.models import AuditAction, AuditEntry

from . import calendar as business, matching
from .models import (Agreement, BusinessCalendar, CalendarException, CalendarHours, EscalationRule, Service,
                     ServiceLevelTarget, SLATimer, SLATimerEvent)

# --- audit ----------------------------------------------------------------------------------------


def audit_sla(ticket_id, action, changes, actor=None):
    """The audit entry of an SLA event on a ticket (warning, breach, repair)."""
    return AuditEntry.objects.create(ticket_id=ticket_id, actor=actor if actor and actor.pk else None,
                                     action=action, changes=changes, request_id=request_id.get())


# --- plain configuration rows ------------------------------------------------------------------


def _save(instance, data, m2m=None):
    for name, value in data.items():
        setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    for name, values in (m2m or {}).items():
        if values is not None:
            getattr(instance, name).set(values)
    return instance


@transaction.atomic
def save_service(service, data, m2m=None):
    return _save(service or Service(), data, m2m)


@transaction.atomic
def delete_service(service):
    service.delete()


@transaction.atomic
def save_escalation_rule(rule, data):
    return _save(rule or EscalationRule(), data)


@transaction.atomic
def delete_escalation_rule(rule):
    rule.delete()


# --- agreements -----------------------------------------------------------------------------------


def _check_editable(agreement):
    if agreement is not None and agreement.pk and Agreement.objects.filter(
            pk=agreement.pk, status=Agreement.Status.AGREED).exists():
        raise ValidationError({"status": _("An agreed agreement is changed only by a new version.")})


def _check_party(agreement):
    party = {Agreement.Kind.SLA: "organization", Agreement.Kind.OLA: "team", Agreement.Kind.UC: "supplier"}
    name = party[agreement.kind]
    if not getattr(agreement, name if name == "supplier" else f"{name}_id"):
        raise ValidationError({name: _("This kind of agreement needs this party.")})
    if agreement.valid_to and agreement.valid_to < agreement.valid_from:
        raise ValidationError({"valid_to": _("The end of validity cannot be before its start.")})


@transaction.atomic
def save_agreement(agreement, data, services=None):
    """Create or change a draft agreement; only a draft may be changed (agreeing it is a change too)."""
    _check_editable(agreement)
    agreement = agreement or Agreement()
    for name, value in data.items():
        setattr(agreement, name, value)
    _check_party(agreement)
    return _save(agreement, {}, {"services": services})


@transaction.atomic
def expire_agreement(agreement):
    Agreement.objects.filter(pk=agreement.pk).update(status=Agreement.Status.EXPIRED, updated_at=timezone.now())
    matching.targets_changed()
    agreement.refresh_from_db()
    return agreement


@transaction.atomic
def new_version(agreement):
    """Copy an agreement with its targets as a draft of the next version, linked to it."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.next_versions.exists():
        raise ValidationError({"version": _("This agreement already has a newer version.")})
    services = list(agreement.services.all())
    targets = list(agreement.targets.all())
    copy = Agreement.objects.get(pk=agreement.pk)
    copy.pk = copy.id = None
    copy.status, copy.version, copy.previous_version = Agreement.Status.DRAFT, agreement.version + 1, agreement
    copy.save()
    copy.services.set(services)
    for target in targets:
        target.pk = target.id = None
        target.agreement = copy
    ServiceLevelTarget.objects.bulk_create(targets)
    matching.targets_changed()
    return copy


@transaction.atomic
def delete_agreement(agreement):
    _check_editable(agreement)
    agreement.delete()


@transaction.atomic
def save_target(target, data):
    agreement = data.get("agreement") or target.agreement
    _check_editable(agreement)
    if target is not None and target.agreement_id != agreement.pk:
        _check_editable(target.agreement)
    data = dict(data)
    for name in ("pause_states", "warning_thresholds"):
        if data.get(name) is None and name in data:
            data.pop(name)
    return _save(target or ServiceLevelTarget(), data)


@transaction.atomic
def delete_target(target):
    _check_editable(target.agreement)
    if target.timers.exists():
        raise ValidationError({"target": _("Timers measure against this target; deactivate it instead.")})
    target.delete()


# --- calendars ------------------------------------------------------------------------------------


def _intervals_clean(rows, label):
    """Reject overlapping intervals of the same day (weekday or date)."""
    by_day = {}
    for row in rows:
        if row.start is None:
            continue
        end = business.seconds_of_day(row.end, is_end=True)
        by_day.setdefault(getattr(row, label), []).append((business.seconds_of_day(row.start), end))
    for day, spans in by_day.items():
        spans.sort()
        for (_s1, e1), (s2, _e2) in zip(spans, spans[1:]):
            if s2 < e1:
                raise ValidationError({"hours" if label == "weekday" else "exceptions":
                                       _("The intervals of %(day)s overlap.") % {"day": day}})


@transaction.atomic
def save_calendar(calendar, data, hours=None, exceptions=None):
    """Create or change a calendar; `hours` / `exceptions` (lists of dicts), when given, replace the old ones."""
    calendar = calendar or BusinessCalendar()
    for name, value in data.items():
        setattr(calendar, name, value)
    calendar.version = (calendar.version or 0) + 1 if calendar.pk else 1
    calendar.full_clean()
    calendar.save()
    if hours is not None:
        rows = [CalendarHours(calendar=calendar, **row) for row in hours]
        for row in rows:
            row.full_clean(exclude=["calendar"])
        _intervals_clean(rows, "weekday")
        calendar.hours.all().delete()
        CalendarHours.objects.bulk_create(rows)
    if exceptions is not None:
        rows = [CalendarException(calendar=calendar, **row) for row in exceptions]
        for row in rows:
            row.full_clean(exclude=["calendar"])
        _intervals_clean([r for r in rows if r.kind == CalendarException.Kind.WORKDAY], "date")
        calendar.exceptions.all().delete()
        CalendarException.objects.bulk_create(rows)
    if calendar.version > 1:
        calendar_changed(calendar.pk)
    return calendar


@transaction.atomic
def bump_calendar(calendar):
    """Invalidate the cached working intervals after hours or exceptions changed; recompute the timers."""
    BusinessCalendar.objects.filter(pk=calendar.pk).update(version=F("version") + 1)
    calendar_changed(calendar.pk)


# Above this many running or paused timers on a calendar, a change recomputes them in the background.
RECOMPUTE_SYNC_LIMIT = 500
RECOMPUTE_BATCH = 1000


def _calendar_timers(calendar_id):
    return SLATimer.objects.filter(target__calendar_id=calendar_id,
                                   state__in=[SLATimer.State.RUNNING, SLATimer.State.PAUSED])


def calendar_changed(calendar_id):
    """Recompute due_at, next_check_at and Ticket.sla_due_at of the running and paused timers on a calendar
    that changed: here, in batches, when they are few; else in the background, queued on commit (until it
    has run, the sweep re-derives a stale timer's due before judging a breach)."""
    if _calendar_timers(calendar_id).values("pk")[:RECOMPUTE_SYNC_LIMIT + 1].count() > RECOMPUTE_SYNC_LIMIT:
        from .tasks import recompute_calendar_timers

        transaction.on_commit(lambda: recompute_calendar_timers.delay(calendar_id))
        return
    after = 0
    while after is not None:
        after = recompute_calendar_batch(calendar_id, after)


def recompute_calendar_batch(calendar_id, after_id=0, size=None):
    """Recompute one batch of the calendar's timers (ids above after_id), set-based: one UPDATE ... FROM
    (VALUES ...) of the timers, one UPDATE of their tickets' sla_due_at. Returns the last id of a full batch
    (more may follow), else None."""
    from . import clock
    from .sweep import write_schedules

    size = size or RECOMPUTE_BATCH
    timers = list(_calendar_timers(calendar_id).filter(pk__gt=after_id).select_related("target__calendar")
                  .select_for_update(of=("self",)).order_by("pk")[:size])
    for timer in timers:
        clock.schedule(timer)
    write_schedules(timers)
    refresh_ticket_due({timer.ticket_id for timer in timers})
    return timers[-1].pk if len(timers) == size else None


@transaction.atomic
def delete_calendar(calendar):
    if calendar.targets.exists():
        raise ValidationError({"calendar": _("Service level targets use this calendar.")})
    calendar.delete()


def public_holidays(country, year):
    """[(date, kind, name)] from the `holidays` package; for mainland China also the make-up working days."""
    import holidays

    try:
        calendar = holidays.country_holidays(country, years=year)
    except (NotImplementedError, KeyError):
        raise ValidationError({"country": _("No public holidays are known for “%(country)s”.") % {
            "country": country}})
    days = [(day, CalendarException.Kind.HOLIDAY, str(name)) for day, name in sorted(calendar.items())
            if day.year == year]
    workdays = getattr(calendar, "weekend_workdays", set()) or set()
    days += [(day, CalendarException.Kind.WORKDAY, _("Make-up working day")) for day in sorted(workdays)
             if day.year == year]
    return days


@transaction.atomic
def import_holidays(calendar, country, year, workday_start=dt.time(9), workday_end=dt.time(18)):
    """Add a country's public holidays of a year (and make-up working days, which get the given hours);
    dates already present in the calendar are left as they are. Returns the number of days added."""
    calendar = BusinessCalendar.objects.select_for_update().get(pk=calendar.pk)
    existing = set(calendar.exceptions.filter(date__year=year).values_list("date", flat=True))
    rows = []
    for day, kind, name in public_holidays(country.upper(), int(year)):
        if day in existing:
            continue
        existing.add(day)
        hours = {"start": workday_start, "end": workday_end} if kind == CalendarException.Kind.WORKDAY else {}
        rows.append(CalendarException(calendar=calendar, date=day, kind=kind, name=name[:200], **hours))
    CalendarException.objects.bulk_create(rows)
    bump_calendar(calendar)
    return len(rows)


# --- repair ---------------------------------------------------------------------------------------


@transaction.atomic
def repair_timers(ticket_ids, actor=None, now=None):
    """Recompute the timers of these tickets from their audited history; returns {ticket_id: changes}."""
    from core.models import Ticket

    from . import replay
    from .timers import SAVED_FIELDS

    now = now or timezone.now()
    report = {}
    for ticket in Ticket.objects.select_for_update().filter(pk__in=ticket_ids).order_by("pk"):
        live = {t.metric: t for t in SLATimer.objects.filter(ticket=ticket).select_related("target__calendar")}
        replayed = replay.replay(ticket, now)
        changes, saved = {}, {}
        for metric, timer in replayed.items():
            current = live.pop(metric, None)
            timer.copy_ticket(ticket)
            if current is None:
                timer.save()
                current, diff = timer, {"created": True}
            else:
                diff = replay.differences(current, timer)
                for name in SAVED_FIELDS + ["started_at"]:
                    setattr(current, name, getattr(timer, name))
                current.save(update_fields=SAVED_FIELDS + ["started_at"])
            saved[metric] = current
            changes[metric] = {k: [str(v[0]), str(v[1])] if isinstance(v, list) else v for k, v in diff.items()}
        for metric, timer in live.items():
            changes[metric] = {"removed": True}
            timer.delete()
        entry = audit_sla(ticket.pk, AuditAction.SLA_REPAIRED, {"timers": changes}, actor)
        SLATimerEvent.objects.bulk_create(
            SLATimerEvent(timer=timer, kind=SLATimerEvent.Kind.REPAIRED, at=now, audit_entry=entry,
                          data=changes[metric]) for metric, timer in saved.items())
        report[ticket.pk] = changes
    refresh_ticket_due(list(report))
    return report


def set_ticket_due(ticket, due):
    """The earliest due instant of a new ticket's running timers, known from the timers just created."""
    from core.models import Ticket

    Ticket.objects.filter(pk=ticket.pk).update(sla_due_at=due)
    ticket.sla_due_at = due


def refresh_ticket_due(ticket_ids):
    """Copy the earliest due instant of each ticket's running timers onto the ticket (the queue sorts by it)."""
    from core.models import Ticket

    earliest = SLATimer.objects.filter(ticket_id=OuterRef("pk"), state=SLATimer.State.RUNNING,
                                       due_at__isnull=False).order_by("due_at").values("due_at")[:1]
    Ticket.objects.filter(pk__in=ticket_ids).update(sla_due_at=Subquery(earliest))
