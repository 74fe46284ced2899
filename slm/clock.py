"""The SLA timer rules as pure functions over SLATimer objects (saved or not): shared by the live sync,
the sweep and the replay, so replaying a ticket's history gives exactly what the live timer shows.

Rules
- elapsed(now) = working seconds of the target's calendar in [start, now) minus those inside pauses;
  accrued in whole seconds (rounded) at each state change, from `elapsed_at`.
- due_at: while running, the instant elapsed reaches the target; none while paused, unless the target was
  already reached (then it stays that past instant, so a timer paused exactly at its due and resumed later
  breaches at its due, not at the resume).
- A timer is breached at its due instant once time runs past it (`breached_at` = that instant, the instant
  elapsed == target; set once and kept, even if the timer is later re-targeted to a longer target).
- Pause: the ticket's state is in the target's pause_states, or, when the target lists none, in the
  practice workflow's paused_states.
- Stop: response when first_response_at is set; resolution when the ticket is in a resolved or closed state.
  met = not breached. Reopening (leaving resolved / closed) resumes the resolution timer.
- Cancel: a ticket entering a cancelled state of its workflow cancels every timer (elapsed accrued up to
  then; no due, no check; a running or paused timer forgets `met`). Leaving a cancelled state (no workflow
  allows it today) resumes each timer where it was: stopped ones stay stopped, others run again from
  their elapsed time, then the usual pause / stop rules apply.
- Re-target: a change of priority, service, organization or category that makes another target win keeps
  the elapsed time and measures it against the new target; warned_percent becomes the highest threshold
  of the new target that elapsed has passed, never above the old one (thresholds not yet reached, or never
  warned, are re-armed). When no target matches any more, the timer keeps its target.
- next_check_at: the instant of the next warning threshold above warned_percent, or of the breach.
"""

import math

from core import hooks

from . import calendar as business
from .models import SLATimer, SLATimerEvent, ServiceLevelTarget

US = business.US
RUNNING, PAUSED, STOPPED = SLATimer.State.RUNNING, SLATimer.State.PAUSED, SLATimer.State.STOPPED
CANCELLED = SLATimer.State.CANCELLED
METRICS = (ServiceLevelTarget.Metric.RESPONSE, ServiceLevelTarget.Metric.RESOLUTION)
MATCH_FIELDS = {"priority", "service", "organization", "category", "kind"}
RELEVANT_FIELDS = MATCH_FIELDS | {"state", "first_response_at", "resolved_at", "closed_at"}


def _us(instant):
    return business.to_us(instant)


def working_us(timer, start, end):
    return business.elapsed_us(timer.target.calendar, _us(start), _us(end))


def elapsed_now(timer, now):
    """Business seconds elapsed by `now` (float), counting the running stretch since elapsed_at."""
    if timer.state != RUNNING or now <= timer.elapsed_at:
        return float(timer.elapsed_seconds)
    return timer.elapsed_seconds + working_us(timer, timer.elapsed_at, now) / US


def percent(timer, now):
    target = timer.target.target_seconds
    return 100.0 if target <= 0 else elapsed_now(timer, now) * 100.0 / target


def threshold_instant(timer, percent_value):
    """When a running timer reaches percent_value of its target (elapsed_at if already reached)."""
    needed = math.ceil(timer.target.target_seconds * percent_value / 100) - timer.elapsed_seconds
    if needed <= 0:
        return timer.elapsed_at
    return business.from_us(business.due_us(timer.target.calendar, _us(timer.elapsed_at), needed * US))


def warning_thresholds(target):
    return sorted({int(p) for p in (target.warning_thresholds or []) if 0 < int(p) < 100})


def warned_after_retarget(timer):
    """The highest threshold of the (new) target elapsed has passed, never above the warnings sent."""
    target = timer.target
    if target.target_seconds <= 0:
        return timer.warned_percent
    passed = [p for p in warning_thresholds(target) if timer.elapsed_seconds * 100 >= p * target.target_seconds]
    return min(timer.warned_percent, max(passed, default=0))


def schedule(timer):
    """Recompute due_at and next_check_at from the stored state (and stamp the calendar version used)."""
    target = timer.target
    calendar = target.calendar
    timer.calendar_version = calendar.version if calendar is not None else None
    if timer.state != RUNNING:
        timer.next_check_at = None
        if timer.state in (PAUSED, CANCELLED) and timer.elapsed_seconds < target.target_seconds:
            timer.due_at = None
        return
    if timer.elapsed_seconds < target.target_seconds:
        timer.due_at = threshold_instant(timer, 100)
    elif timer.due_at is None or timer.due_at > timer.elapsed_at:
        timer.due_at = timer.elapsed_at
    pending = [p for p in warning_thresholds(target) if p > timer.warned_percent]
    if pending:
        timer.next_check_at = threshold_instant(timer, pending[0])
    elif timer.breached_at is None:
        timer.next_check_at = timer.due_at
    else:
        timer.next_check_at = None


def advance(timer, at, events):
    """Accrue the running stretch up to `at`; flag a breach crossed on the way."""
    if timer.state != RUNNING or at <= timer.elapsed_at:
        return
    if timer.breached_at is None and timer.due_at is not None and timer.due_at < at:
        timer.breached_at = timer.due_at
        events.append((SLATimerEvent.Kind.BREACHED, timer.due_at, {}))
    timer.elapsed_seconds += round(working_us(timer, timer.elapsed_at, at) / US)
    timer.elapsed_at = at


def cancelled_states(kind):
    return set(getattr(hooks.ticket_kinds[kind].workflow, "cancelled_states", ()))


def paused_states(target, kind):
    if target.pause_states:
        return set(target.pause_states)
    return set(hooks.ticket_kinds[kind].workflow.paused_states)


def done_states(kind):
    workflow = hooks.ticket_kinds[kind].workflow
    return set(workflow.resolved_states) | set(workflow.closed_states)


def should_stop(metric, snapshot):
    if metric == ServiceLevelTarget.Metric.RESPONSE:
        return snapshot["first_response_at"] is not None
    return snapshot["state"] in done_states(snapshot["kind"])


def stop_instant(timer, snapshot, at):
    if timer.metric == ServiceLevelTarget.Metric.RESPONSE and snapshot["first_response_at"] is not None:
        return min(at, max(timer.elapsed_at, snapshot["first_response_at"]))
    return at


def sync_ticket(timers, snapshot, changed, at, match_fn):
    """Apply one ticket write at instant `at` to its timers ({metric: SLATimer}, updated in place, new ones
    added). `snapshot` holds the ticket after the write (kind, state, priority, service_id, organization_id,
    category_id, first_response_at); `changed` the names of the changed fields; match_fn(snapshot, at) ->
    {metric: target}. Returns [(timer, [(event kind, at, data)])] for the timers that changed."""
    created = "created" in changed
    winners = match_fn(snapshot, at) if created or changed & MATCH_FIELDS else {}
    touched = []
    for metric in METRICS:
        timer, events = timers.get(metric), []
        target = winners.get(metric)
        if timer is None:
            if target is None or should_stop(metric, snapshot):
                continue
            timer = SLATimer(ticket_id=snapshot["id"], target=target, metric=metric, state=RUNNING,
                             started_at=at, elapsed_at=at, elapsed_seconds=0)
            timers[metric] = timer
            events += [(SLATimerEvent.Kind.ATTACHED, at, {"target": target.pk}),
                       (SLATimerEvent.Kind.STARTED, at, {})]
        elif target is not None and target.pk != timer.target_id and timer.state not in (STOPPED, CANCELLED):
            advance(timer, at, events)
            events.append((SLATimerEvent.Kind.RETARGETED, at, {"from": timer.target_id, "to": target.pk,
                                                                  "elapsed_seconds": timer.elapsed_seconds}))
            timer.target = target
            timer.warned_percent = warned_after_retarget(timer)
        _sync_state(timer, snapshot, at, events)
        if events:
            schedule(timer)
            touched.append((timer, events))
    return touched


def _sync_cancel(timer, snapshot, at, events):
    """Cancel on entering a cancelled state; resume where it was on leaving one. True: nothing else applies."""
    if snapshot["state"] in cancelled_states(snapshot["kind"]):
        if timer.state != CANCELLED:
            advance(timer, at, events)
            if timer.state != STOPPED:
                timer.met = None
            timer.state = CANCELLED
            events.append((SLATimerEvent.Kind.CANCELLED, at, {"elapsed_seconds": timer.elapsed_seconds}))
        return True
    if timer.state == CANCELLED:
        if timer.stopped_at is not None:
            timer.state = STOPPED
        else:
            timer.state, timer.elapsed_at = RUNNING, at
        events.append((SLATimerEvent.Kind.RESUMED, at, {"state": snapshot["state"], "reinstated": True}))
    return False


def _sync_state(timer, snapshot, at, events):
    if _sync_cancel(timer, snapshot, at, events):
        return
    stop = should_stop(timer.metric, snapshot)
    pause = snapshot["state"] in paused_states(timer.target, snapshot["kind"])
    if timer.state != STOPPED and stop:
        instant = stop_instant(timer, snapshot, at)
        advance(timer, instant, events)
        timer.state, timer.stopped_at = STOPPED, instant
        timer.met = timer.breached_at is None
        kind = SLATimerEvent.Kind.MET if timer.met else SLATimerEvent.Kind.STOPPED
        events.append((kind, instant, {"elapsed_seconds": timer.elapsed_seconds}))
        return
    if timer.state == STOPPED and not stop and timer.metric == ServiceLevelTarget.Metric.RESOLUTION:
        timer.state, timer.stopped_at, timer.met, timer.elapsed_at = RUNNING, None, None, at
        events.append((SLATimerEvent.Kind.RESUMED, at, {"reopened": True}))
        schedule(timer)
    if timer.state == RUNNING and pause:
        advance(timer, at, events)
        timer.state = PAUSED
        events.append((SLATimerEvent.Kind.PAUSED, at, {"state": snapshot["state"]}))
    elif timer.state == PAUSED and not pause:
        timer.state, timer.elapsed_at = RUNNING, at
        events.append((SLATimerEvent.Kind.RESUMED, at, {"state": snapshot["state"]}))
    elif events and timer.state == RUNNING:
        schedule(timer)
