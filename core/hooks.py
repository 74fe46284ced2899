"""The small explicit registry through which practices and slm plug into core (filled in AppConfig.ready()).

core never imports a practice: it looks them up here.
"""

from dataclasses import dataclass
from typing import Callable


@dataclass
class TicketKind:
    kind: str  # "incident"
    prefix: str  # "INC"
    model: type  # the Ticket subclass
    workflow: object  # core.workflow.Workflow
    url_name: str = ""  # detail view name, reversed with pk
    api_basename: str = ""


ticket_kinds: dict[str, TicketKind] = {}

# Called as fn(ticket, changes: dict, actor, action) inside the writing transaction, after the row is saved.
ticket_written: list[Callable] = []

# Template includes shown on a ticket page: (order, template_name, context_fn(ticket, request) -> dict).
ticket_panels: list[tuple] = []


def register_kind(kind: TicketKind):
    ticket_kinds[kind.kind] = kind


def on_ticket_written(fn):
    if fn not in ticket_written:
        ticket_written.append(fn)
    return fn


def register_ticket_panel(order: int, template_name: str, context_fn: Callable | None = None):
    entry = (order, template_name, context_fn)
    if entry not in ticket_panels:
        ticket_panels.append(entry)
        ticket_panels.sort(key=lambda e: e[0])


# fn(ticket_ids) -> {ticket_id: highest warning percent reached by a running SLA timer}; slm registers it.
sla_warning_lookups: list[Callable] = []


def register_sla_warning_lookup(fn):
    if fn not in sla_warning_lookups:
        sla_warning_lookups.append(fn)
    return fn
