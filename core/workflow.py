"""Declarative state machines: each practice's workflow.py declares its states and transitions as data."""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Transition:
    to: str
    label: str = ""
    required: tuple = ()  # field names the transition needs (e.g. resolution_code)
    optional: tuple = ()  # further fields it may set
    permission: str = "agent"  # "agent", "requester" (requester may do it on own ticket) or "manager"
    confirm: str = ""  # a question the UI asks before taking it (e.g. cancelling)


@dataclass
class Workflow:
    initial: str
    states: dict  # state -> label
    transitions: dict  # from_state -> {to_state: Transition}
    open_states: frozenset = field(default_factory=frozenset)
    paused_states: frozenset = field(default_factory=frozenset)
    resolved_states: frozenset = field(default_factory=frozenset)
    closed_states: frozenset = field(default_factory=frozenset)
    cancelled_states: frozenset = field(default_factory=frozenset)  # also closed; SLA timers are cancelled

    def choices(self):
        return list(self.states.items())

    def allowed(self, state):
        return self.transitions.get(state, {})

    def get(self, from_state, to_state):
        return self.transitions.get(from_state, {}).get(to_state)

    def label(self, state):
        return self.states.get(state, state)


class TransitionError(Exception):
    """A refused transition; `errors` maps field names to messages."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__(str(errors))


def refuse_message(workflow, from_state, to_state):
    if to_state not in workflow.states:
        return _("“%(state)s” is not a state.") % {"state": to_state}
    return _("A ticket cannot move from “%(from)s” to “%(to)s”.") % {
        "from": workflow.label(from_state), "to": workflow.label(to_state)}
