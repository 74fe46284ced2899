"""The SLA badge of a ticket list row: time left or overdue, coloured by urgency.

Reads `Ticket.sla_due_at` (the earliest due instant of the running timers; NULL when none runs). Colour:
red when overdue; amber when a running timer has passed a warning threshold (looked up for the whole page
in one query through `core.hooks.sla_warning_lookups`) or, since the sweep may lag, when less than
`AMBER_SECONDS` are left; green otherwise. Without a due instant: "paused" in a paused state, else "—".
"""

from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from . import hooks

AMBER_SECONDS = 3600


def format_duration(seconds):
    """'2 d 4 h', '2 h 10 min', '3 h', '45 min' (at least one minute)."""
    minutes = max(1, int(abs(seconds)) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours} if hours else \
            _("%(days)d d") % {"days": days}
    if hours:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": mins} if mins else \
            _("%(hours)d h") % {"hours": hours}
    return _("%(minutes)d min") % {"minutes": mins}


def badge_state(due_at, now, warned=None):
    """("breached" | "warning" | "ok", text) for a running timer due at `due_at`."""
    left = (due_at - now).total_seconds()
    if left < 0:
        return "breached", _("overdue %(duration)s") % {"duration": format_duration(-left)}
    text = _("%(duration)s left") % {"duration": format_duration(left)}
    if (warned or 0) > 0 or left < AMBER_SECONDS:
        return "warning", text
    return "ok", text


def _paused(row):
    kind = hooks.ticket_kinds.get(row.kind)
    return bool(kind and row.state in kind.workflow.paused_states)


def badge_html(row, now=None):
    """The badge of one row (needs kind, state and sla_due_at loaded; reads row.sla_warned if attached)."""
    due_at = row.sla_due_at
    if due_at is None:
        if _paused(row):
            label = escape(_("paused"))
            return mark_safe(f'<span class="sla sla-paused">{label}</span>')
        return mark_safe('<span class="sla sla-none">—</span>')
    level, text = badge_state(due_at, now or timezone.now(), getattr(row, "sla_warned", None))
    local = timezone.localtime(due_at)
    title = _("Due %(when)s") % {"when": local.strftime("%Y-%m-%d %H:%M")}
    return mark_safe(f'<span class="sla sla-{level}" title="{escape(title)}">{escape(text)}</span>')


def attach_warnings(rows):
    """Set row.sla_warned (highest warning percent, 0 for none) on rows with a due instant: one query per page."""
    ids = [row.pk for row in rows if getattr(row, "sla_due_at", None) is not None]
    if not ids or not hooks.sla_warning_lookups:
        return rows
    levels = {}
    for lookup in hooks.sla_warning_lookups:
        for ticket_id, level in lookup(ids).items():
            levels[ticket_id] = max(level, levels.get(ticket_id, 0))
    for row in rows:
        if row.pk in levels or getattr(row, "sla_due_at", None) is not None:
            row.sla_warned = levels.get(row.pk, 0)
    return rows
