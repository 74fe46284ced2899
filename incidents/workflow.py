from django.utils.translation import gettext_lazy as _

from core.workflow import Transition, Workflow

NEW, IN_PROGRESS, ON_HOLD, RESOLVED, CLOSED, CANCELLED = "new", "in_progress", "on_hold", "resolved", "closed", "cancelled"

STATES = {
    NEW: _("New"),
    IN_PROGRESS: _("In Progress"),
    ON_HOLD: _("On Hold"),
    RESOLVED: _("Resolved"),
    CLOSED: _("Closed"),
    CANCELLED: _("Cancelled"),
}

_resolve = Transition(RESOLVED, _("Resolve"), required=("resolution_code", "resolution_notes"))
_hold = Transition(ON_HOLD, _("Put on hold"), required=("on_hold_reason",))
_cancel = Transition(CANCELLED, _("Cancel"), required=("cancel_reason",),
                     confirm=_("Cancel this incident? It cannot be reopened afterwards."))

WORKFLOW = Workflow(
    initial=NEW,
    states=STATES,
    transitions={
        NEW: {IN_PROGRESS: Transition(IN_PROGRESS, _("Start work")), ON_HOLD: _hold, RESOLVED: _resolve,
              CANCELLED: _cancel},
        IN_PROGRESS: {ON_HOLD: _hold, RESOLVED: _resolve, CANCELLED: _cancel},
        ON_HOLD: {IN_PROGRESS: Transition(IN_PROGRESS, _("Resume")), RESOLVED: _resolve, CANCELLED: _cancel},
        RESOLVED: {IN_PROGRESS: Transition(IN_PROGRESS, _("Reopen"), permission="requester"),
                   CLOSED: Transition(CLOSED, _("Close"), permission="requester")},
        CLOSED: {},
        CANCELLED: {},
    },
    open_states=frozenset({NEW, IN_PROGRESS, ON_HOLD}),
    paused_states=frozenset({ON_HOLD}),
    resolved_states=frozenset({RESOLVED}),
    closed_states=frozenset({CLOSED, CANCELLED}),
    cancelled_states=frozenset({CANCELLED}),
)
