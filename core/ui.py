"""Generic helpers for the server-rendered ticket pages: keyset pagination, timelines, panels."""

import base64
import html
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Q
from django.forms import CheckboxSelectMultiple, Select
from django.forms.utils import flatatt
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import hooks, permissions, sla_badge
from .keyset import after_q, plain, typed_values
from .models import Approval, ApprovalRule, ApprovalStage, AuditAction, AuditEntry, Comment, LinkKind, Ticket

PAGE_SIZE = 50
logger = logging.getLogger(__name__)


# --- keyset pagination -------------------------------------------------------------------------

def _encode(values):
    return base64.urlsafe_b64encode(json.dumps([plain(v) for v in values]).encode()).decode().rstrip("=")


def _decode(cursor, model, ordering, annotations=None):
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError):
        return None
    try:
        return typed_values(model, ordering, raw, annotations)
    except Exception:  # noqa: BLE001 - a tampered cursor is simply ignored
        return None


@dataclass
class Page:
    rows: list
    next_cursor: str = ""
    previous_cursor: str = ""


def keyset_page(queryset, ordering, after="", before="", size=PAGE_SIZE):
    """One page of `queryset` ordered by `ordering` (ending in a unique key), without COUNT(*) or OFFSET."""
    ordering = tuple(ordering)
    model = queryset.model
    annotations = queryset.query.annotations
    names = [n.lstrip("-") for n in ordering]

    def key(row):
        return [getattr(row, n) for n in names]

    if before and (values := _decode(before, model, ordering, annotations)) is not None:
        reverse = tuple(n[1:] if n.startswith("-") else f"-{n}" for n in ordering)
        rows = list(queryset.filter(after_q(ordering, values, reverse=True)).order_by(*reverse)[:size + 1])
        has_more = len(rows) > size
        rows = rows[:size][::-1]
        return Page(rows, next_cursor=_encode(key(rows[-1])) if rows else "",
                    previous_cursor=_encode(key(rows[0])) if rows and has_more else "")
    values = _decode(after, model, ordering, annotations) if after else None
    if values is not None:
        queryset = queryset.filter(after_q(ordering, values))
    rows = list(queryset.order_by(*ordering)[:size + 1])
    has_more = len(rows) > size
    rows = rows[:size]
    return Page(rows, next_cursor=_encode(key(rows[-1])) if rows and has_more else "",
                previous_cursor=_encode(key(rows[0])) if rows and values is not None else "")


def query_without(request, *names):
    """The current query string without the given parameters (for building page and filter links)."""
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


# --- timeline ----------------------------------------------------------------------------------

# Requesters see attachments in the list (internal ones are left out), not in the audit trail.
HIDDEN_FOR_REQUESTERS = {AuditAction.WORK_NOTE, AuditAction.ATTACHED, AuditAction.SLA, AuditAction.SLA_BREACHED,
                         AuditAction.SLA_REPAIRED}  # SLA warnings and breaches are the service desk's own business
AUDIT_KEY_LABELS = {"link": gettext_lazy("Link"), "attachment": gettext_lazy("Attachment"),
                    "rule": gettext_lazy("Assignment rule"), "article": gettext_lazy("Knowledge article"),
                    "investigation_task": gettext_lazy("Investigation task"),
                    "investigation_task_done": gettext_lazy("Investigation task done"),
                    "improvement_task": gettext_lazy("Task"), "improvement_task_done": gettext_lazy("Task done"),
                    "proposal": gettext_lazy("Proposal"),
                    "approval": gettext_lazy("Approval"), "approver": gettext_lazy("Approver"),
                    "approvers": gettext_lazy("Approvers"), "approval_stage": gettext_lazy("Approval stage"),
                    "approval_step": gettext_lazy("Approval step"), "approval_rule": gettext_lazy("Approval rule"),
                    "on_behalf_of": gettext_lazy("On behalf of"), "decided_by": gettext_lazy("Decided by"),
                    "comment": gettext_lazy("Comment"), "change_task": gettext_lazy("Change task"),
                    "change_task_done": gettext_lazy("Change task done"),
                    "change_task_skipped": gettext_lazy("Change task skipped")}
# audit keys that are not model fields but hold a choice: shown by their label
AUDIT_KEY_CHOICES = {"approval": Approval.State, "approval_stage": ApprovalStage.State,
                     "approval_rule": ApprovalRule}
SLA_FLAG_KEYS = {"sla_warning": gettext_lazy("Warning"), "sla_breach": gettext_lazy("Breach")}
# an assignment rule's name is internal configuration; a linked article may be for the service desk only
# (requesters see the articles they may read in the knowledge panel); approvers' names reach requesters only
# through the approval panel, which leaves out those of another organization
STAFF_ONLY_KEYS = {"rule", "article", "approver", "approvers", "on_behalf_of", "decided_by"}
NOT_SHOWN_FIELDS = {"comment", "first_response_at", "version", "kind", "number", "risk_inputs"}
# how the service desk ranks and diagnoses a ticket is theirs: requesters see its state, not its priority,
# impact, urgency or the internal name of a configuration item
REQUESTER_HIDDEN_FIELDS = {"impact", "urgency", "priority", "configuration_item"}


@dataclass
class Change:
    label: str
    old: object
    new: object


@dataclass
class TimelineItem:
    kind: str  # "comment", "work_note" or "audit"
    at: datetime
    actor: object
    body: str = ""
    action: str = ""
    action_label: str = ""
    changes: list = field(default_factory=list)


def _display_value(model, name, value, names_by_model):
    if value in (None, ""):
        return ""
    try:
        model_field = model._meta.get_field(name)
    except Exception:  # noqa: BLE001 - audit keys that are not model fields (link, attachment)
        if name == "link" and isinstance(value, str):
            return link_text(value)
        choices = AUDIT_KEY_CHOICES.get(name)
        return dict(choices.choices).get(value, value) if choices else value
    if isinstance(model_field, models.ForeignKey):
        related = model_field.related_model
        return names_by_model.get(related, {}).get(value, "—" if issubclass(related, Ticket) else f"#{value}")
    if isinstance(model_field, models.ManyToManyField) and isinstance(value, list):
        known = names_by_model.get(model_field.related_model, {})
        return ", ".join(str(known.get(pk, f"#{pk}")) for pk in value)
    if name == "state":
        return hooks.ticket_kinds[model.TICKET_KIND].workflow.label(value) if hasattr(model, "TICKET_KIND") \
            else value
    if model_field.choices:
        return dict(model_field.flatchoices).get(value, value)
    if isinstance(model_field, models.DateTimeField) and isinstance(value, str):
        moment = parse_datetime(value)
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else value
    if isinstance(model_field, models.BooleanField):
        return _("Yes") if value else _("No")
    if isinstance(value, dict):  # a JSON field (a request's answers): "name: value; name: a, b"
        return "; ".join(f"{key}: {', '.join(map(str, item)) if isinstance(item, list) else item}"
                         for key, item in value.items())
    return value


def _resolve_names(model, entries, user=None):
    """{related model: {pk: display name}} for every FK id mentioned in the entries, one query per model.
    Tickets (a parent incident...) the user may not see are named by nobody: they stay out of the map."""
    wanted = {}
    for entry in entries:
        for name, pair in entry.changes.items():
            try:
                model_field = model._meta.get_field(name)
            except Exception:  # noqa: BLE001
                continue
            if isinstance(model_field, models.ForeignKey) and isinstance(pair, list):
                ids = wanted.setdefault(model_field.related_model, set())
                ids.update(v for v in pair if isinstance(v, int))
            elif isinstance(model_field, models.ManyToManyField) and isinstance(pair, list):
                ids = wanted.setdefault(model_field.related_model, set())
                ids.update(v for side in pair if isinstance(side, list) for v in side if isinstance(v, int))
    names = {}
    for related, ids in wanted.items():
        if related is get_user_model():
            rows = related.objects.filter(pk__in=ids).only("username", "first_name", "last_name")
            names[related] = {u.pk: u.get_full_name() or u.username for u in rows}
        elif issubclass(related, Ticket) and user is not None:
            rows = permissions.visible_tickets(user, related.objects.filter(pk__in=ids))
            names[related] = {obj.pk: str(obj) for obj in rows}
        else:
            names[related] = {obj.pk: str(obj) for obj in related.objects.filter(pk__in=ids)}
    return names


LINK_OUT = {LinkKind.RELATED: gettext_lazy("Related to %(number)s"),
            LinkKind.DUPLICATE_OF: gettext_lazy("Duplicate of %(number)s"),
            LinkKind.CAUSED_BY: gettext_lazy("Caused by %(number)s")}
LINK_IN = {LinkKind.RELATED: gettext_lazy("%(number)s is related to this ticket"),
           LinkKind.DUPLICATE_OF: gettext_lazy("%(number)s is a duplicate of this ticket"),
           LinkKind.CAUSED_BY: gettext_lazy("%(number)s is caused by this ticket")}


def link_text(value):
    """A link audit value in words: "caused_by:PRB0001001" (this ticket's link) is "Caused by PRB0001001",
    "caused_by<-INC0001003" (another ticket's link to this one) is "INC0001003 is caused by this ticket"."""
    incoming = "<-" in value
    kind, _sep, number = value.partition("<-" if incoming else ":")
    sentence = (LINK_IN if incoming else LINK_OUT).get(kind)
    return sentence % {"number": number} if sentence and number else value


def _linked_number(entry):
    """The other ticket's number in a link audit entry ("related:INC0001002", "caused_by<-INC0001003")."""
    pair = entry.changes.get("link")
    value = next((v for v in pair if v), "") if isinstance(pair, list) else ""
    return value.replace("<-", ":").rsplit(":", 1)[-1] if value else ""


def _hidden_links(audits, user):
    """Link audit entries naming a ticket the user may not see (nothing to hide from staff)."""
    links = {entry.pk: _linked_number(entry) for entry in audits if "link" in entry.changes}
    if not links or permissions.is_agent(user):
        return set()
    visible = set(permissions.visible_tickets(user, Ticket.objects.filter(number__in=set(links.values())))
                  .values_list("number", flat=True))
    return {pk for pk, number in links.items() if number not in visible}


def build_timeline(ticket, user):
    """Comments, work notes (staff only) and audit entries of a ticket, in time order."""
    from . import queries

    staff = permissions.can_see_internal(user)
    comments = Comment.objects.filter(ticket_id=ticket.pk).select_related("author")
    audits = AuditEntry.objects.filter(ticket_id=ticket.pk).select_related("actor")
    if not staff:
        comments = comments.filter(is_internal=False)
        audits = audits.exclude(action__in=HIDDEN_FOR_REQUESTERS)
    audits = list(audits)
    model = type(ticket)
    names = _resolve_names(model, audits, None if staff else user)
    hidden = _hidden_links(audits, user)
    unnamed = set() if staff else queries.foreign_approvers(audits, user)
    kind = hooks.ticket_kinds.get(ticket.kind)
    requester_hidden = REQUESTER_HIDDEN_FIELDS | set(kind.requester_hidden_fields if kind else ())
    audits = [entry for entry in audits if entry.pk not in hidden]
    items = [TimelineItem(kind="work_note" if c.is_internal else "comment", at=c.created_at, actor=c.author,
                          body=c.body) for c in comments]
    for entry in audits:
        if entry.action in (AuditAction.COMMENTED, AuditAction.WORK_NOTE):
            continue
        changes = []
        for name, pair in entry.changes.items():
            if name in SLA_FLAG_KEYS and isinstance(pair, dict):  # the sweep's warning or breach of one target
                flag = f"{pair.get('target', '')} · {pair.get('percent')} %"
                changes.append(Change(str(SLA_FLAG_KEYS[name]), "", flag))
                continue
            shown = name == "comment" and entry.action == AuditAction.APPROVAL  # an approver's reason
            if (name in NOT_SHOWN_FIELDS and not shown) or not isinstance(pair, list) or len(pair) != 2:
                continue
            if (name in STAFF_ONLY_KEYS or name in requester_hidden) and not staff:
                continue
            if entry.action == AuditAction.CREATED and pair[1] in (False, 0):
                continue
            try:
                label = capfirst(model._meta.get_field(name).verbose_name)
            except Exception:  # noqa: BLE001
                label = AUDIT_KEY_LABELS.get(name, name)
            changes.append(Change(str(label), _display_value(model, name, pair[0], names),
                                  _display_value(model, name, pair[1], names)))
        if not changes and entry.action == AuditAction.UPDATED:
            continue
        by_rule = entry.action == AuditAction.ASSIGNED and "rule" in entry.changes
        actor = queries.UNNAMED_APPROVER if entry.actor_id in unnamed else entry.actor
        items.append(TimelineItem(kind="audit", at=entry.created_at, actor=actor, action=entry.action,
                                  action_label=_("Assigned by rule") if by_rule else entry.get_action_display(),
                                  changes=changes))
    items.sort(key=lambda item: item.at)
    return items


# --- panels and links --------------------------------------------------------------------------

def render_panels(ticket, request):
    """HTML of the panels other apps register in core.hooks.ticket_panels; a deferred one is a placeholder
    that loads it (core.views.ticket_panel)."""
    html = []
    for order, template_name, context_fn, *options in hooks.ticket_panels:
        if options and options[0]:
            html.append(render_to_string("components/deferred_panel.html", {"ticket": ticket, "order": order},
                                         request=request))
        else:
            html.append(render_panel(ticket, request, template_name, context_fn))
    return mark_safe("".join(html))


def render_panel(ticket, request, template_name, context_fn):
    context = {"ticket": ticket}
    if context_fn is not None:
        context.update(context_fn(ticket, request) or {})
    try:
        return render_to_string(template_name, context, request=request)
    except TemplateDoesNotExist:
        logger.exception("ticket panel template %s is missing", template_name)
        return ""


def deferred_panel(order):
    """(template_name, context_fn) of the deferred panel registered at `order`, or None."""
    for entry_order, template_name, context_fn, *options in hooks.ticket_panels:
        if entry_order == order and options and options[0]:
            return template_name, context_fn
    return None


def render_portal_report_extras(request, form):
    """HTML of the pieces other apps register in core.hooks.portal_report_extras for the portal's form."""
    html = []
    for _order, template_name, context_fn in hooks.portal_report_extras:
        context = {"report_form": form}
        if context_fn is not None:
            context.update(context_fn(request, form) or {})
        html.append(render_to_string(template_name, context, request=request))
    return mark_safe("".join(html))


def ticket_url(ticket):
    from django.urls import reverse

    kind = hooks.ticket_kinds.get(ticket.kind)
    return reverse(kind.url_name, args=[ticket.pk]) if kind and kind.url_name else ""


def state_label(ticket):
    kind = hooks.ticket_kinds.get(ticket.kind)
    return kind.workflow.label(ticket.state) if kind else ticket.state


def prepare_rows(rows):
    """Set .url and .state_text on core.Ticket rows of any kind (no query)."""
    for row in rows:
        row.url = ticket_url(row)
        row.state_text = str(state_label(row))
    return rows


def open_tickets_q():
    """Q matching tickets in an open state of their kind."""
    q = Q(pk__in=[])
    for kind in hooks.ticket_kinds.values():
        q |= Q(kind=kind.kind, state__in=kind.workflow.open_states)
    return q


# --- fast HTML for the hot lists ---------------------------------------------------------------
# The queue renders on every keystroke of an agent's day: its rows and filter fields are built with
# format_html (about ten times faster than a template include per cell or widget).

@dataclass
class Column:
    header: str
    value: object  # fn(row) -> str or SafeString
    css: str = ""
    sort: tuple = ()  # ordering keys a header click cycles through, e.g. ("-id", "id")
    prepare: object = None  # fn(rows), run once per page before the cells (e.g. one lookup for all rows)


def _cell(value):
    return value if isinstance(value, SafeString) else html.escape(str(value))


def sort_link(sorts, ordering, query):
    """(href, aria-sort direction) of a sortable header: a click cycles through the ordering keys `sorts`."""
    current = ordering in sorts
    target = sorts[(sorts.index(ordering) + 1) % len(sorts)] if current else sorts[0]
    direction = ("descending" if ordering.startswith("-") else "ascending") if current else "none"
    return (f"?{query}&ordering={target}" if query else f"?ordering={target}"), direction


def _header(column, ordering, query):
    if ordering is None or not column.sort:
        return f"<th>{escape(column.header)}</th>"
    href, direction = sort_link(column.sort, ordering, query)
    href = escape(href)
    return (f'<th aria-sort="{direction}"><a href="{href}" class="sort sort-{direction}">'
            f"{escape(column.header)}</a></th>")


def rows_html(rows, columns, empty_text, ordering=None, query="", selectable=False, sort_query=None):
    """A list table. With `ordering` (the current ordering key) sortable headers link to the next ordering;
    `sort_query` (a query string without ordering) makes them links on lists that have no ordering of their own.
    selectable: a first column of checkboxes named "ids" (core.Ticket ids) for the bulk bar's form
    (components/bulk_bar.html, form id "bulk-form")."""
    if sort_query is not None and ordering is None:
        ordering, query = "", sort_query
    for column in columns:
        if column.prepare is not None:
            column.prepare(rows)
    head = "".join(_header(c, ordering, query) for c in columns)
    if selectable:
        label = escape(_("Select all on this page"))
        head = (f'<th class="select"><input type="checkbox" data-select-all form="bulk-form" aria-label="{label}">'
                f"</th>{head}")
    span = len(columns) + (1 if selectable else 0)
    if not rows:
        body = f'<tr><td colspan="{span}" class="muted">{escape(empty_text)}</td></tr>'
    else:
        cells = [(f'<td class="{c.css}">', c.value) for c in columns]
        box = ('<td class="select"><input type="checkbox" name="ids" value="{pk}" form="bulk-form" '
               'data-select-row aria-label="{label}"></td>') if selectable else ""
        body = "".join(
            f'<tr data-href="{escape(row.url)}">'
            + (box.format(pk=int(row.pk), label=escape(_("Select %(number)s") % {"number": row.number}))
               if selectable else "")
            + "".join(f"{td}{_cell(value(row))}</td>" for td, value in cells)
            + "</tr>" for row in rows)
    return mark_safe(f'<table class="list" data-rows><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>')


def local_minute(value):
    """'2026-11-24 09:30' in the active time zone."""
    if not value:
        return ""
    local = value.astimezone(timezone.get_current_timezone())
    return f"{local.year:04d}-{local.month:02d}-{local.day:02d} {local.hour:02d}:{local.minute:02d}"


def clipped(text):
    """Text the list may cut with an ellipsis; the whole text stays in the title (hover)."""
    text = escape(text)
    return mark_safe(f'<span title="{text}">{text}</span>')


def person(user):
    return (user.get_full_name() or user.username) if user else "—"


TICKET_COLUMNS = {
    "number": Column(gettext_lazy("Number"), lambda r: mark_safe(f'<a href="{r.url}">{escape(r.number)}</a>'),
                     "nowrap", sort=("-id", "id")),
    "title": Column(gettext_lazy("Title"), lambda r: clipped(r.title), "title"),
    "state": Column(gettext_lazy("State"), lambda r: mark_safe(
        f'<span class="state state-{escape(r.state)}">{escape(r.state_text)}</span>'), sort=("state",)),
    "priority": Column(gettext_lazy("Priority"), lambda r: mark_safe(
        f'<span class="prio prio-{r.priority:d}">P{r.priority:d}</span>'), sort=("priority", "-priority")),
    "service": Column(gettext_lazy("Service"), lambda r: clipped(r.service.name if r.service else "—"), "clip"),
    "team": Column(gettext_lazy("Team"), lambda r: clipped(r.team.name if r.team else "—"), "clip"),
    "assignee": Column(gettext_lazy("Assignee"), lambda r: clipped(person(r.assignee)), "clip"),
    "updated": Column(gettext_lazy("Updated"), lambda r: local_minute(r.updated_at), "nowrap",
                      sort=("-updated_at", "updated_at")),
    # Time left or overdue as a coloured badge (core.sla_badge); sorts with ?ordering=sla_due.
    "sla_due": Column(gettext_lazy("SLA"), lambda r: sla_badge.badge_html(r), "nowrap",
                      prepare=sla_badge.attach_warnings, sort=("sla_due",)),
}
TICKET_COLUMNS["sla"] = TICKET_COLUMNS["sla_due"]


def ticket_columns(*names):
    """The columns of a ticket list, by name (rows need .url and .state_text set)."""
    return [TICKET_COLUMNS[name] for name in names]


def _selected(value, chosen):
    return " selected" if str(value) in chosen else ""


def _field_html(bound):
    widget = bound.field.widget
    raw = bound.value()
    chosen = {str(v) for v in raw} if isinstance(raw, (list, tuple)) else {"" if raw is None else str(raw)}
    attrs = flatatt({k: v for k, v in widget.attrs.items() if k != "type"})
    errors = format_html_join("", '<small class="error">{}</small>', ((e,) for e in bound.errors))
    css = "field has-error" if bound.errors else "field"
    # A comprehension, not list(): list() asks a ModelChoiceIterator for len(), which runs COUNT(*).
    choices = [choice for choice in widget.choices] if hasattr(widget, "choices") else []
    if isinstance(widget, CheckboxSelectMultiple):
        options = format_html_join("", '<label class="option"><input type="checkbox" name="{}" value="{}"{}> {}</label>',
                                   ((bound.html_name, value, " checked" if str(value) in chosen else "", label)
                                    for value, label in choices))
        return format_html('<fieldset class="{}"><legend>{}</legend>{}{}</fieldset>', css, bound.label, options,
                           errors)
    if getattr(widget, "renders_itself", False):  # e.g. a search picker: its own markup, no choices to list
        control = bound.as_widget()
        return format_html('<label for="{}" class="{}"><span>{}</span>{}{}</label>',
                           widget.id_for_label(bound.auto_id), css, bound.label, control, errors)
    if isinstance(widget, Select) or hasattr(widget, "choices"):
        options = format_html_join("", '<option value="{}"{}>{}</option>',
                                   ((str(v), _selected(v, chosen), label) for v, label in choices))
        multiple = " multiple" if getattr(widget, "allow_multiple_selected", False) else ""
        control = format_html('<select name="{}" id="{}"{}{}>{}</select>', bound.html_name, bound.auto_id,
                              multiple, attrs, options)
    else:
        input_type = widget.attrs.get("type") or getattr(widget, "input_type", "text")
        control = format_html('<input type="{}" name="{}" id="{}" value="{}"{}>', input_type, bound.html_name,
                              bound.auto_id, "" if raw is None else raw, attrs)
    return format_html('<label for="{}" class="{}"><span>{}</span>{}{}</label>', bound.auto_id, css, bound.label,
                       control, errors)


def fields_html(bound_fields):
    """Filter fields (selects, checkbox lists, inputs) as HTML, without a widget template per field."""
    return format_html_join("", "{}", ((_field_html(b),) for b in bound_fields))


def safe_next(request, fallback):
    """The `next` the form or link carried when it points back into this site, else `fallback`."""
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return fallback
