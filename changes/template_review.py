"""A standard change template's success rate over its completed changes, and the review flag raised when too many
of them fail or cause incidents (daily, changes.tasks, and at once when a templated change's outcome is recorded)."""

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext as _

from .models import ChangeTemplate, Outcome, TemplateEvent
from .templates import record

State = ChangeTemplate.State
Action = TemplateEvent.Action
SUCCESS_OUTCOMES = (Outcome.SUCCESSFUL, Outcome.WITH_ISSUES)
FAILURE_OUTCOMES = (Outcome.FAILED, Outcome.BACKED_OUT)
REVIEW_MIN_CHANGES = 3  # the review flag needs at least this many completed changes


def _completed_changes():
    from core.models import LinkKind, TicketLink

    from . import workflow
    from .models import Change

    caused = TicketLink.objects.filter(target_id=OuterRef("pk"), kind=LinkKind.CAUSED_BY, source__kind="incident")
    return Change.objects.filter(state__in=(workflow.REVIEW, workflow.CLOSED)).exclude(outcome="").annotate(
        caused=Exists(caused))


def _rate(row):
    total = row.get("total", 0)
    bad = row.get("bad", 0)
    return {"total": total, "successful": row.get("successful", 0), "failed": row.get("failed", 0),
            "caused_incidents": row.get("caused_incidents", 0), "bad": bad,
            "rate": round(100.0 * (total - bad) / total, 1) if total else None}


def success_rates(template_ids):
    """{template id: success_rate dict} for many templates in one query."""
    template_ids = list(template_ids)
    rows = {row["template_id"]: row for row in _completed_changes().filter(template_id__in=template_ids)
            .values("template_id").order_by().annotate(
                total=Count("pk"), successful=Count("pk", filter=Q(outcome__in=SUCCESS_OUTCOMES)),
                failed=Count("pk", filter=Q(outcome__in=FAILURE_OUTCOMES)),
                caused_incidents=Count("pk", filter=Q(caused=True)),
                bad=Count("pk", filter=Q(outcome__in=FAILURE_OUTCOMES) | Q(caused=True)))}
    return {pk: _rate(rows.get(pk, {})) for pk in template_ids}


def success_rate(template):
    """Over the template's completed changes (in review or closed, with an outcome): {"total", "successful"
    (successful or with issues), "failed" (failed or backed out), "caused_incidents" (changes an incident is
    linked to as caused_by), "bad" (changes that failed or caused incidents, each counted once), "rate" (the
    percentage of changes that succeeded without causing an incident; None before any change)}."""
    return success_rates([template.pk])[template.pk]


def should_flag(template, rate):
    return rate["total"] >= REVIEW_MIN_CHANGES and 100.0 * rate["bad"] / rate["total"] > template.failure_threshold


@transaction.atomic
def refresh_review_flags(template_ids=None):
    """Flag for review the templates whose changes fail or cause incidents above their threshold (with at least
    REVIEW_MIN_CHANGES changes), and clear the flag of those back under it. Returns how many flags changed."""
    templates = ChangeTemplate.objects.exclude(state=State.RETIRED)
    if template_ids is not None:
        templates = templates.filter(pk__in=list(template_ids))
    templates = list(templates.only("pk", "name", "failure_threshold", "flagged_for_review"))
    rates = success_rates([template.pk for template in templates])
    changed = 0
    for template in templates:
        rate = rates[template.pk]
        flag = should_flag(template, rate)
        if flag == template.flagged_for_review:
            continue
        template.flagged_for_review = flag
        template.save(update_fields=["flagged_for_review"])
        record(template, None, Action.FLAGGED if flag else Action.UNFLAGGED,
               {"flagged_for_review": [not flag, flag]}, note=_(
                   "%(bad)d of %(total)d changes failed or caused incidents (threshold %(threshold)d%%).") % {
                   "bad": rate["bad"], "total": rate["total"], "threshold": template.failure_threshold})
        changed += 1
    return changed


def on_ticket_written(ticket, changes, actor, action):
    """core.hooks: a standard change's outcome was recorded; refresh its template's review flag at once."""
    if "outcome" in changes and getattr(ticket, "template_id", None) and ticket.kind == "change":
        refresh_review_flags([ticket.template_id])
