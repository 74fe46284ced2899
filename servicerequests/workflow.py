"""Request and task lifecycles. A request waits for approval (its SLA timers paused), is fulfilled through its
tasks, and is closed; a rejection or a cancellation ends it (its timers cancelled, so it counts nowhere).
Moves marked "system" are taken by the fulfilment plan (servicerequests.services), not offered in the UI."""

from django.utils.translation import gettext_lazy as _

from core.workflow import Transition, Workflow

AWAITING_APPROVAL, IN_FULFILMENT, ON_HOLD, FULFILLED, CLOSED, REJECTED, CANCELLED = (
    "awaiting_approval", "in_fulfilment", "on_hold", "fulfilled", "closed", "rejected", "cancelled")

REQUEST_STATES = {
    AWAITING_APPROVAL: _("Awaiting approval"),
    IN_FULFILMENT: _("In fulfilment"),
    ON_HOLD: _("On hold"),
    FULFILLED: _("Fulfilled"),
    CLOSED: _("Closed"),
    REJECTED: _("Rejected"),
    CANCELLED: _("Cancelled"),
}

# Taken by the plan only (approval outcome): permission "system" matches no user.
_approved = Transition(IN_FULFILMENT, _("Approved"), optional=("expected_by",), permission="system")
_rejected = Transition(REJECTED, _("Rejected"), required=("rejection_reason",), permission="system")
_cancel_by_requester = Transition(CANCELLED, _("Cancel request"), required=("cancel_reason",), permission="requester",
                                  confirm=_("Cancel this request? It cannot be reopened afterwards."))
_cancel = Transition(CANCELLED, _("Cancel request"), required=("cancel_reason",),
                     confirm=_("Cancel this request and its open tasks? It cannot be reopened afterwards."))
_fulfil = Transition(FULFILLED, _("Mark fulfilled"), required=("resolution_notes",))

REQUEST_WORKFLOW = Workflow(
    initial=AWAITING_APPROVAL,
    states=REQUEST_STATES,
    transitions={
        AWAITING_APPROVAL: {IN_FULFILMENT: _approved, REJECTED: _rejected, CANCELLED: _cancel_by_requester},
        IN_FULFILMENT: {ON_HOLD: Transition(ON_HOLD, _("Put on hold"), required=("on_hold_reason",)),
                        FULFILLED: _fulfil, CANCELLED: _cancel},
        ON_HOLD: {IN_FULFILMENT: Transition(IN_FULFILMENT, _("Resume")), CANCELLED: _cancel},
        FULFILLED: {CLOSED: Transition(CLOSED, _("Close"), permission="requester"),
                    IN_FULFILMENT: Transition(IN_FULFILMENT, _("Not done yet: reopen"), permission="requester")},
        CLOSED: {},
        REJECTED: {},
        CANCELLED: {},
    },
    open_states=frozenset({AWAITING_APPROVAL, IN_FULFILMENT, ON_HOLD}),
    paused_states=frozenset({AWAITING_APPROVAL, ON_HOLD}),
    resolved_states=frozenset({FULFILLED}),
    closed_states=frozenset({CLOSED, REJECTED, CANCELLED}),
    cancelled_states=frozenset({REJECTED, CANCELLED}),
)

PENDING, OPEN, IN_PROGRESS, DONE, TASK_CANCELLED = "pending", "open", "in_progress", "done", "cancelled"

TASK_STATES = {
    PENDING: _("Waiting for an earlier stage"),
    OPEN: _("Open"),
    IN_PROGRESS: _("In progress"),
    DONE: _("Done"),
    TASK_CANCELLED: _("Cancelled"),
}

_done = Transition(DONE, _("Complete"), optional=("resolution_notes",))
_task_cancel = Transition(TASK_CANCELLED, _("Cancel task"), required=("cancel_reason",),
                          confirm=_("Cancel this task? The request goes on without it."))

TASK_WORKFLOW = Workflow(
    initial=OPEN,
    states=TASK_STATES,
    transitions={
        PENDING: {OPEN: Transition(OPEN, _("Start"), permission="system"), TASK_CANCELLED: _task_cancel},
        OPEN: {IN_PROGRESS: Transition(IN_PROGRESS, _("Start work")), DONE: _done, TASK_CANCELLED: _task_cancel},
        IN_PROGRESS: {OPEN: Transition(OPEN, _("Stop work")), DONE: _done, TASK_CANCELLED: _task_cancel},
        DONE: {},
        TASK_CANCELLED: {},
    },
    open_states=frozenset({PENDING, OPEN, IN_PROGRESS}),
    paused_states=frozenset({PENDING}),
    resolved_states=frozenset({DONE}),
    closed_states=frozenset({DONE, TASK_CANCELLED}),
    cancelled_states=frozenset({TASK_CANCELLED}),
)
