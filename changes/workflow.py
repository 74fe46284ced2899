"""The change lifecycle. A normal change is assessed, then authorised by the authority its model and risk name,
scheduled, implemented and reviewed. A standard change (from a published template) is pre-authorised and is
raised scheduled. An emergency change skips assessment: the emergency CAB authorises it at once, and its
post-implementation review is mandatory. Gates (authorisation, plans, template validity) are checked in
changes.services, which says what is missing; moves marked "system" follow an approval outcome."""

from django.utils.translation import gettext_lazy as _

from core.workflow import Transition, Workflow

NEW, ASSESS, AUTHORIZE, SCHEDULED, IMPLEMENT, REVIEW, CLOSED, REJECTED, CANCELLED = (
    "new", "assess", "authorize", "scheduled", "implement", "review", "closed", "rejected", "cancelled")

STATES = {
    NEW: _("New"),
    ASSESS: _("Assessment"),
    AUTHORIZE: _("Awaiting authorisation"),
    SCHEDULED: _("Scheduled"),
    IMPLEMENT: _("Implementing"),
    REVIEW: _("Review"),
    CLOSED: _("Closed"),
    REJECTED: _("Rejected"),
    CANCELLED: _("Cancelled"),
}

_cancel = Transition(CANCELLED, _("Cancel change"), required=("cancel_reason",),
                     confirm=_("Cancel this change? It cannot be reopened afterwards."))
_authorise = Transition(AUTHORIZE, _("Request authorisation"))
_approved = Transition(SCHEDULED, _("Authorised"), permission="system")
_rejected = Transition(REJECTED, _("Rejected"), required=("rejection_reason",), permission="system")

WORKFLOW = Workflow(
    initial=NEW,
    states=STATES,
    transitions={
        NEW: {ASSESS: Transition(ASSESS, _("Submit for assessment")), AUTHORIZE: _authorise, CANCELLED: _cancel},
        ASSESS: {AUTHORIZE: _authorise, NEW: Transition(NEW, _("Back to draft")), CANCELLED: _cancel},
        AUTHORIZE: {SCHEDULED: _approved, REJECTED: _rejected,
                    ASSESS: Transition(ASSESS, _("Withdraw for re-assessment")), CANCELLED: _cancel},
        SCHEDULED: {IMPLEMENT: Transition(IMPLEMENT, _("Start implementation"), optional=("actual_start",)),
                    ASSESS: Transition(ASSESS, _("Re-plan")), CANCELLED: _cancel},
        IMPLEMENT: {REVIEW: Transition(REVIEW, _("Complete implementation"), required=("outcome",),
                                       optional=("outcome_notes", "actual_end"))},
        REVIEW: {CLOSED: Transition(CLOSED, _("Close"), optional=("review_notes",))},
        CLOSED: {},
        REJECTED: {},
        CANCELLED: {},
    },
    open_states=frozenset({NEW, ASSESS, AUTHORIZE, SCHEDULED, IMPLEMENT}),
    paused_states=frozenset({AUTHORIZE, SCHEDULED}),
    resolved_states=frozenset({REVIEW}),
    closed_states=frozenset({CLOSED, REJECTED, CANCELLED}),
    cancelled_states=frozenset({REJECTED, CANCELLED}),
)
