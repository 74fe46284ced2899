"""Problem states: identification (new), control (investigating), error control (fix in progress, resolved
while the fix is verified), then closed. Known error is a flag, not a state: it holds through control and
error control until the problem closes."""

from django.utils.translation import gettext_lazy as _

from core.workflow import Transition, Workflow

NEW, INVESTIGATING, FIX_IN_PROGRESS, RESOLVED, CLOSED, CANCELLED = (
    "new", "investigating", "fix_in_progress", "resolved", "closed", "cancelled")

STATES = {
    NEW: _("New"),
    INVESTIGATING: _("Under investigation"),
    FIX_IN_PROGRESS: _("Fix in progress"),
    RESOLVED: _("Resolved, fix being verified"),
    CLOSED: _("Closed"),
    CANCELLED: _("Cancelled"),
}

_investigate = Transition(INVESTIGATING, _("Start investigation"))
_fix = Transition(FIX_IN_PROGRESS, _("Fix in progress"))
_resolve = Transition(RESOLVED, _("Resolve"), required=("resolution_code", "resolution_notes"))
_cancel = Transition(CANCELLED, _("Cancel"), required=("cancel_reason",),
                     confirm=_("Cancel this problem? It cannot be reopened afterwards."))

WORKFLOW = Workflow(
    initial=NEW,
    states=STATES,
    transitions={
        NEW: {INVESTIGATING: _investigate, CANCELLED: _cancel},
        INVESTIGATING: {FIX_IN_PROGRESS: _fix, RESOLVED: _resolve, CANCELLED: _cancel},
        FIX_IN_PROGRESS: {INVESTIGATING: Transition(INVESTIGATING, _("Back to investigation")), RESOLVED: _resolve,
                          CANCELLED: _cancel},
        RESOLVED: {CLOSED: Transition(CLOSED, _("Fix verified: close")),
                   INVESTIGATING: Transition(INVESTIGATING, _("Fix failed: reopen"))},
        CLOSED: {},
        CANCELLED: {},
    },
    open_states=frozenset({NEW, INVESTIGATING, FIX_IN_PROGRESS}),
    resolved_states=frozenset({RESOLVED}),
    closed_states=frozenset({CLOSED, CANCELLED}),
    cancelled_states=frozenset({CANCELLED}),
)
