"""The small explicit registry through which practices and slm plug into core (filled in AppConfig.ready()).

core never imports a practice: it looks them up here.
"""

from dataclasses import dataclass, field
from typing import Callable

from django.urls import reverse


@dataclass
class TicketKind:
    """A ticket kind: its identity, and what the generic ticket UI (core.ticket_views) needs to serve it."""

    kind: str  # "incident"
    prefix: str  # "INC"
    model: type  # the Ticket subclass
    workflow: object  # core.workflow.Workflow
    url_name: str = ""  # detail view name, reversed with pk (defaults to "{url_namespace}:detail")
    api_basename: str = ""
    label: str = ""  # lazy, singular, lower case: "incident"
    label_plural: str = ""  # lazy: "incidents"
    url_namespace: str = ""  # "incidents": URL names {ns}:list, :create, :detail, :edit, :action
    # --- the generic UI layer (all optional; see docs/architecture.md "The ticket layer") ---
    list_queryset: Callable | None = None  # fn(user) -> tickets of this kind the user may see (queries.py)
    detail_queryset: Callable | None = None
    create_service: Callable | None = None  # fn(actor, data) -> ticket
    update_service: Callable | None = None  # fn(ticket, actor, data, expected_version=None)
    transition_service: Callable | None = None  # fn(ticket, actor, to, data, expected_version, comment=, **extra)
    form_fields: tuple = ()  # model fields of the create/edit form, in order
    form_class: type | None = None  # a ModelForm built by core.ticket_forms.ticket_form_class (overrides form_fields)
    filterset_class: type | None = None  # a core.filters.TicketFilterSet subclass
    queue_columns: tuple = ("number", "title", "state", "priority", "service", "team", "assignee", "sla_due",
                            "updated")
    template_dir: str = ""  # the kind's template folder; templates there override templates/tickets/
    requester_visible: bool = True  # False: internal records (problems) no requester ever sees, even their own
    requester_hidden_fields: tuple = ()  # the kind's internal fields, left out of the timeline for requesters
    sla_timed: bool = True  # False: no service level target ever times this kind (improvements)
    # False: a record with no impact, urgency, priority, service, CI, requester or channel of its own
    # (improvements); the ticket page leaves those out
    triaged: bool = True
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.url_namespace and not self.url_name:
            self.url_name = f"{self.url_namespace}:detail"

    def url(self, name, *args):
        """reverse("{ns}:{name}", args) - every ticket URL is built through here."""
        return reverse(f"{self.url_namespace}:{name}", args=args)

    def templates(self, name):
        """The kind's own template first, then the generic one: ["incidents/detail.html", "tickets/detail.html"]."""
        folder = self.template_dir or self.url_namespace
        return [f"{folder}/{name}", f"tickets/{name}"] if folder else [f"tickets/{name}"]


ticket_kinds: dict[str, TicketKind] = {}

# Called as fn(ticket, changes: dict, actor, action) inside the writing transaction, after the row is saved.
ticket_written: list[Callable] = []

# Template includes shown on a ticket page: (order, template_name, context_fn(ticket, request) -> dict).
ticket_panels: list[tuple] = []


def register_kind(kind: TicketKind):
    ticket_kinds[kind.kind] = kind


def requester_hidden_kinds():
    return [key for key, kind in ticket_kinds.items() if not kind.requester_visible]


def kind_of(model_or_ticket):
    """The registered TicketKind of a Ticket subclass, or of a ticket row."""
    key = getattr(model_or_ticket, "TICKET_KIND", None) or getattr(model_or_ticket, "kind", None)
    return ticket_kinds[key]


def on_ticket_written(fn):
    if fn not in ticket_written:
        ticket_written.append(fn)
    return fn


def register_ticket_panel(order: int, template_name: str, context_fn: Callable | None = None, deferred=False):
    """`deferred`: the page holds a placeholder and the panel arrives by its own request once the page is shown
    (for panels that search, such as suggestions, so they never hold up the page). A deferred panel is found
    by its order, which must be its own."""
    entry = (order, template_name, context_fn, deferred)
    if entry not in ticket_panels:
        ticket_panels.append(entry)
        ticket_panels.sort(key=lambda e: e[0])


# Pieces added inside the requester portal's "report a problem" form (e.g. matching knowledge articles):
# (order, template_name, context_fn(request, form) -> dict), rendered by core.views.portal.
portal_report_extras: list[tuple] = []


def register_portal_report_extra(order: int, template_name: str, context_fn: Callable | None = None):
    entry = (order, template_name, context_fn)
    if entry not in portal_report_extras:
        portal_report_extras.append(entry)
        portal_report_extras.sort(key=lambda e: e[0])


# fn(ticket_ids) -> {ticket_id: highest warning percent reached by a running SLA timer}; slm registers it.
sla_warning_lookups: list[Callable] = []


def register_sla_warning_lookup(fn):
    if fn not in sla_warning_lookups:
        sla_warning_lookups.append(fn)
    return fn


# Ticket list filters that another app answers, by name: fn(queryset, value) -> queryset. slm registers
# "sla_breached" and "sla_due_within" (seconds); without them those filters leave the list as it is.
ticket_filters: dict[str, Callable] = {}


def register_ticket_filter(name: str, fn: Callable):
    ticket_filters[name] = fn


# fn(service_id, organization_id) -> bool: is the service offered to that customer? slm registers it; a
# requester may name only such a service on a ticket (without it, any service).
service_offered: list[Callable] = []


def register_service_offered(fn):
    if fn not in service_offered:
        service_offered.append(fn)
    return fn


# The kind's reaction to an approval stage being decided: kind -> fn(ticket, stage, approved, actor, comment),
# called by core.approvals inside the deciding transaction.
approval_listeners: dict[str, Callable] = {}


def register_approval_listener(kind: str, fn: Callable):
    approval_listeners[kind] = fn


# The requester's start page ("/" for anyone who is not service desk staff), registered by the practice that
# builds the self-service portal: fn(request, report_form=None, status=200) -> HttpResponse. `report_form` is a
# "report a problem" form being shown again (with its errors, or with the answers it suggested). Without one,
# core.views shows its plain portal.
requester_home: list[Callable] = []


def register_requester_home(fn: Callable):
    requester_home[:] = [fn]
    return fn


# Called as fn(request, actor) when a service request goes into fulfilment (servicerequests.plan.start_fulfilment),
# inside its transaction: changes raises the standard change a catalogue item offers.
fulfilment_listeners: list[Callable] = []


def register_fulfilment_listener(fn: Callable):
    if fn not in fulfilment_listeners:
        fulfilment_listeners.append(fn)
    return fn


# Checks of a catalogue order, asked when a service request is made (servicerequests.services):
# fn(item, actor) -> "" when the item may be ordered, else the reason (shown to whoever orders it). changes
# refuses an item whose standard change template cannot be used today.
order_checks: list[Callable] = []


def register_order_check(fn: Callable):
    if fn not in order_checks:
        order_checks.append(fn)
    return fn


# Tools shown beside each action on a service review's page (slm): (order, template_name,
# context_fn(request, review, actions) -> {action id: dict}); the template is included for an action with
# `tool` = its dict, only when the dict has one. improvement registers "Turn into an improvement".
review_action_tools: list[tuple] = []


def register_review_action_tool(order: int, template_name: str, context_fn: Callable):
    entry = (order, template_name, context_fn)
    if entry not in review_action_tools:
        review_action_tools.append(entry)
        review_action_tools.sort(key=lambda e: e[0])


# Where a ticket's mail thread started: fn(ticket_ids) -> {ticket_id: (origin Message-ID or "", reply-to address
# or "")}; the e-mail channel registers one, so notifications thread under the mail that opened the ticket and
# replies go back to the mailbox it came from (core.mail_threading).
mail_origins: list[Callable] = []


def register_mail_origin(fn: Callable):
    if fn not in mail_origins:
        mail_origins.append(fn)
