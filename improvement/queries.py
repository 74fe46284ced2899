from core import permissions

from .models import Improvement

LIST_JOINED = ("team", "assignee", "owner")
LIST_PREFETCHED = ("service", "configuration_item", "organization", "requester", "services")
DETAIL_JOINED = LIST_JOINED + ("metric_service", "metric_organization", "metric_team", "metric_category",
                               "created_by", "source_ticket")


def improvement_list(user):
    """The improvements a user may see (staff only: the register is internal)."""
    return permissions.visible_tickets(
        user, Improvement.objects.filter(kind=Improvement.TICKET_KIND).select_related(*LIST_JOINED)
        .prefetch_related(*LIST_PREFETCHED))


def improvement_detail(user):
    return permissions.visible_tickets(
        user, Improvement.objects.select_related(*DETAIL_JOINED).prefetch_related(*LIST_PREFETCHED, "tasks__owner"))


def ranked(improvements):
    """The open improvements in register order: by score (highest first, then oldest), with the ones a manager
    ranked by hand put at their rank. Each gets `rank` (1-based). A register holds hundreds, not millions."""
    rows = sorted(improvements, key=lambda i: (-i.score, i.pk))
    manual = sorted((i for i in rows if i.rank_override), key=lambda i: (i.rank_override, -i.score, i.pk))
    order = [i for i in rows if not i.rank_override]
    last = -1  # records given the same rank (or a rank already taken) follow one another
    for item in manual:
        last = min(max(item.rank_override - 1, last + 1), len(order))
        order.insert(last, item)
    for position, item in enumerate(order, 1):
        item.rank = position
    return order


def committed_by_quarter(quarters=None):
    """Per quarter: the budget and capacity set, the cost and effort of the records planned against it (in stage
    plan) and committed (taking action or past it, closed included; records withdrawn before action left out)."""
    from django.db.models import Q, Sum

    from .models import Closure, QuarterBudget
    from .workflow import ACTION, MOMENTUM, PLAN, RESULT

    # withdrawn before action: nothing was spent; withdrawn after action started: what was committed stays spent
    qs = Improvement.objects.exclude(quarter="").exclude(closure=Closure.WITHDRAWN, action_started_on__isnull=True)
    if quarters is not None:
        qs = qs.filter(quarter__in=quarters)
    committed = Q(state__in=(ACTION, RESULT, MOMENTUM)) | Q(state="closed")
    sums = {r["quarter"]: r for r in qs.values("quarter").annotate(
        planned_cost=Sum("estimated_cost", filter=Q(state=PLAN)), planned_days=Sum("effort_days", filter=Q(state=PLAN)),
        committed_cost=Sum("estimated_cost", filter=committed), committed_days=Sum("effort_days", filter=committed),
    ).order_by()}
    budgets = {b.quarter: b for b in QuarterBudget.objects.filter(
        **({"quarter__in": quarters} if quarters is not None else {}))}
    rows = []
    for quarter in sorted(set(sums) | set(budgets), reverse=True):
        s, b = sums.get(quarter, {}), budgets.get(quarter)
        rows.append({"quarter": quarter, "budget": b.budget if b else None,
                     "capacity_days": b.capacity_days if b else None,
                     "planned_cost": s.get("planned_cost") or 0, "planned_days": s.get("planned_days") or 0,
                     "committed_cost": s.get("committed_cost") or 0, "committed_days": s.get("committed_days") or 0})
    return rows
