"""The improvement pages: the ranked register (the kind's queue), the record page walking the seven steps with its
own actions, the dashboard and the quarter budgets. Every write goes through improvement.services."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import account_services, permissions, ui
from core.converters import parse_id
from core.models import AuditAction, AuditEntry
from core.ticket_forms import prepare_filter_form, staff_choices, user_filter_choices
from core.ticket_views import TicketActionView, TicketDetailView, TicketListView, form_errors_from
from core.workflow import TransitionError

from . import dashboard, metrics, queries, services
from .forms import STAGE_FIELDS, AssessmentForm, BudgetForm, RankForm, TaskDoneForm, TaskForm, stage_form_class
from .models import Closure, Improvement, Practice, QuarterBudget
from .workflow import ACTION, CLOSED, MOMENTUM, REQUIRED, RESULT, STAGES, STATES, WORKFLOW, next_stage

FORMULA = gettext_lazy("value over effort: (benefit + urgency + alignment) / (cost + effort + risk) × 10")
REGISTER_LIMIT = 500  # rows on one register page (open ones are hundreds; closed ones are reached by filtering)
MAIN_FILTERS = ("q", "open", "stage", "source", "service", "owner", "quarter", "metric", "outcome", "ordering")
MORE_FILTERS = ("team", "assignee", "organization", "created_after", "created_before")
STEPS = STAGES[:-1]  # the seven steps; "closed" is where a record ends
STAGE_SHORT = {"vision": gettext_lazy("Vision"), "baseline": gettext_lazy("Baseline"), "target": gettext_lazy("Target"),
               "plan": gettext_lazy("Plan"), "action": gettext_lazy("Action"), "result": gettext_lazy("Result"),
               "momentum": gettext_lazy("Momentum"), "closed": gettext_lazy("Closed")}


def nav_context(current):
    return {"nav_current": current, "formula": FORMULA}


# --- the register -------------------------------------------------------------------------------

def _sort_key(ordering):
    """(key, reverse) sorting register rows in Python: unranked (closed) rows and rows without a date come last."""
    last = (2, 0)

    def stage_index(row):
        return STAGES.index(row.state) if row.state in STAGES else len(STAGES)

    def rank(row):
        return (row.rank is None, row.rank or 0, -row.pk)

    keys = {
        "rank": (rank, False),
        "-score": (lambda r: (-r.score, rank(r)), False),
        "score": (lambda r: (r.score, rank(r)), False),
        "stage": (lambda r: (stage_index(r), rank(r)), False),
        "-stage": (lambda r: (-stage_index(r), rank(r)), False),
        "target_date": (lambda r: ((0, r.target_date.toordinal()) if r.target_date else last, r.pk), False),
        "-target_date": (lambda r: ((0, -r.target_date.toordinal()) if r.target_date else last, r.pk), False),
        "title": (lambda r: (r.title.casefold(), r.pk), False),
        "-title": (lambda r: (r.title.casefold(), r.pk), True),
    }
    return keys[ordering]


SORTABLE = {"rank": ("rank",), "score": ("-score", "score"), "stage": ("stage", "-stage"),
            "target_date": ("target_date", "-target_date"), "title": ("title", "-title")}
SORTS = {key for keys in SORTABLE.values() for key in keys}
COLUMNS = (("rank", gettext_lazy("Rank")), ("number", gettext_lazy("Number")), ("title", gettext_lazy("Title")),
           ("stage", gettext_lazy("Stage")), ("source", gettext_lazy("Source")),
           ("services", gettext_lazy("Services")), ("score", gettext_lazy("Score")),
           ("metric", gettext_lazy("Metric")), ("owner", gettext_lazy("Owner")),
           ("target_date", gettext_lazy("Target date")))


def _headers(ordering, query):
    headers = []
    for key, label in COLUMNS:
        sorts = SORTABLE.get(key)
        header = {"key": key, "label": label, "href": None, "direction": "none"}
        if sorts:
            header["href"], header["direction"] = ui.sort_link(sorts, ordering, query)
        headers.append(header)
    return headers


def register_ranks():
    """{pk: rank} over every open improvement (the register's order, whatever the filter shows)."""
    rows = Improvement.objects.filter(state__in=WORKFLOW.open_states).only("id", "score", "rank_override")
    return {row.pk: row.rank for row in queries.ranked(rows)}


def decorate(row, ranks, detail_prefix):
    row.rank = ranks.get(row.pk)
    row.url = f"{detail_prefix}{row.pk}/"
    row.state_text = STATES.get(row.state, row.state)
    row.stage_number = STAGES.index(row.state) + 1 if row.state in STEPS else None
    row.stage_short = STAGE_SHORT.get(row.state, row.state)
    name = row.metric_name
    row.metric_label = dashboard.METRIC_SHORT.get(name, "")
    row.baseline_text = dashboard.metric_value(name, row.baseline_value)
    row.target_text = dashboard.metric_value(name, row.target_value)
    row.result_text = dashboard.metric_value(name, row.result_value)
    return row


class RegisterView(TicketListView):
    """The continual improvement register: open improvements ranked (score, then a manager's rank), filtered and
    sorted, with the quarters' budgets above it. Closed ones are reached with the open/stage filters."""

    def get(self, request):
        if not permissions.is_agent(request.user):
            return redirect("home")
        registry = self.ticket_kind
        data = self.filter_data()
        ordering = data.get("ordering") if data.get("ordering") in SORTS else "rank"
        filterset = registry.filterset_class(data, queryset=self.base_queryset(), request=request)
        form = self.prepare_form(filterset.form, registry)
        rows = list(filterset.qs.order_by("-score", "-id")[:REGISTER_LIMIT + 1])
        clipped = len(rows) > REGISTER_LIMIT
        rows = rows[:REGISTER_LIMIT]
        ranks = register_ranks()
        detail_prefix = registry.url("detail", 0)[:-2]
        for row in rows:
            decorate(row, ranks, detail_prefix)
        key, reverse_order = _sort_key(ordering)
        rows.sort(key=key, reverse=reverse_order)
        query_no_order = ui.query_without(self.request, "ordering")
        context = {
            "filter": filterset, "rows": rows, "clipped": clipped, "limit": REGISTER_LIMIT,
            "open_count": len(ranks), "ordering": ordering, "headers": _headers(ordering, query_no_order),
            "query": ui.query_without(self.request),
            "main_filters_html": ui.fields_html(form.main_fields), "more_filters_html": ui.fields_html(form.more_fields),
            "saved_filters": list(account_services.saved_views(request.user, registry.kind)),
            "quarters": dashboard.quarter_lines(services.current_quarter()),
            "current_quarter": services.current_quarter(),
            "total_label": "", "today": timezone.localdate(), **nav_context("register"),
        }
        return self.render_kind("list.html", context)

    def filter_data(self):
        data = self.request.GET.copy()
        if not data.get("state") and not data.get("stage") and not data.get("open"):
            data["open"] = "true"
        return data

    def base_queryset(self):
        return (self.list_queryset().filter(kind=self.ticket_kind.kind).select_related(None)
                .select_related("owner").prefetch_related(None).prefetch_related("services").only(
                    "number", "kind", "title", "state", "source", "score", "rank_override", "rank_reason",
                    "metric_name", "baseline_value", "target_value", "result_value", "outcome", "target_date",
                    "quarter", "closure", "owner__username", "owner__first_name", "owner__last_name"))

    def prepare_form(self, form, registry):
        prepare_filter_form(form, MAIN_FILTERS, kind=registry)
        fields = form.fields
        fields["stage"].widget = forms.CheckboxSelectMultiple(choices=fields["stage"].choices)
        people = staff_choices()  # one query for both lists
        fields["owner"].widget = forms.Select(choices=user_filter_choices(_("No owner"), people))
        fields["owner"].help_text = ""
        fields["assignee"].widget = forms.Select(choices=user_filter_choices(_("Unassigned"), people))
        fields["ordering"].choices = [(k, v) for k, v in fields["ordering"].choices if k in SORTS]
        fields["ordering"].widget.choices = fields["ordering"].choices
        form.main_fields = [form[name] for name in MAIN_FILTERS]
        form.more_fields = [form[name] for name in MORE_FILTERS]
        form.more_active = any(form.data.get(name) for name in MORE_FILTERS)
        return form


# --- the record page ------------------------------------------------------------------------------

def _withdrawn_from(improvement):
    """The stage a withdrawn improvement was in (from its audit trail), or None."""
    entry = (AuditEntry.objects.filter(ticket_id=improvement.pk, action=AuditAction.TRANSITIONED,
                                       changes__state__1=CLOSED).order_by("-id").values_list("changes", flat=True)
             .first())
    return entry["state"][0] if entry else None


def stepper(improvement):
    """The seven steps, each done, current or to do (a withdrawn record stops where it was withdrawn)."""
    state = improvement.state
    if state == CLOSED:
        stop = _withdrawn_from(improvement) if improvement.closure == Closure.WITHDRAWN else None
        current_index = STEPS.index(stop) if stop in STEPS else len(STEPS)
    else:
        current_index = STEPS.index(state)
    steps = []
    for index, stage in enumerate(STEPS):
        status = "done" if index < current_index else "current" if index == current_index else "todo"
        if state == CLOSED and status == "current":
            status = "withdrawn"
        steps.append({"stage": stage, "label": STATES[stage], "number": index + 1, "status": status})
    return steps


class ImprovementDetailView(TicketDetailView):
    def get_context(self, ticket, bound):
        context = super().get_context(ticket, bound)
        forward = next_stage(ticket.state)
        # moving forward is the step form's "Save and go to the next step"; withdrawing and going back stay here
        context["transition_forms"] = [f for f in context["transition_forms"] if f.transition.to != forward]
        context["linked_work"] = linked_work(context["links_out"], context["links_in"])
        return context

    def stage_form(self, improvement, stage):
        key = f"stage:{stage}"
        if key in self.bound:
            return self.bound[key]
        form_class = stage_form_class(stage, metric_fixed=improvement.baseline_captured_at is not None)
        return form_class(instance=improvement, prefix=f"step-{stage}")

    def extra_context(self, improvement):
        user = self.request.user
        is_open = improvement.state != CLOSED
        editable = is_open and permissions.can_edit(user, improvement)
        steps = stepper(improvement)
        sections = []
        for step in steps:
            stage = step["stage"]
            form = None
            if editable and step["status"] in ("done", "current"):
                form = self.stage_form(improvement, stage)
            sections.append({**step, "form": form, "needed": REQUIRED.get(stage, ()),
                             "open": step["status"] == "current" or f"stage:{stage}" in self.bound})
        name = improvement.metric_name
        measurements = list(improvement.measurements.all()) if improvement.baseline_captured_at else []
        chart = dashboard.chart(improvement, [(m.kind, m.value, m.period_start, m.period_end, m.measured_at)
                                              for m in measurements]) if measurements else None
        ranks = register_ranks() if is_open else {}
        tasks = list(improvement.tasks.select_related("owner"))
        return {
            "steps": steps, "sections": sections, "editable": editable, "formula": FORMULA,
            "next_stage": next_stage(improvement.state), "next_label": STATES.get(next_stage(improvement.state) or ""),
            "metric_label": dashboard.METRIC_SHORT.get(name, ""), "metric_scope": dashboard.metric_scope(improvement),
            "baseline_text": dashboard.metric_value(name, improvement.baseline_value),
            "target_text": dashboard.metric_value(name, improvement.target_value),
            "result_text": dashboard.metric_value(name, improvement.result_value),
            "baseline_report": dashboard.report_url(improvement, improvement.baseline_start, improvement.baseline_end),
            "result_report": dashboard.report_url(improvement, improvement.result_start, improvement.result_end),
            "chart": chart, "measurement_count": len(measurements), "site_zone": metrics.site_zone(),
            "rank": ranks.get(improvement.pk), "open_count": len(ranks),
            "tasks": tasks, "open_tasks": sum(1 for t in tasks if t.done_at is None),
            "assessment_form": self.bound.get("assessment") or AssessmentForm(instance=improvement,
                                                                              prefix="assessment"),
            "task_form": self.bound.get("task") or TaskForm(prefix="task"),
            "rank_form": (self.bound.get("rank") or RankForm(prefix="rank", initial={
                "rank": improvement.rank_override, "reason": improvement.rank_reason,
                "version": improvement.version})) if permissions.is_manager(user) and is_open else None,
            "can_measure": (is_open and improvement.state in (ACTION, RESULT, MOMENTUM) and bool(name)
                            and improvement.baseline_captured_at is not None),
            "today": timezone.localdate(),
            "practice_labels": [dict(Practice.choices).get(p, p) for p in improvement.practices or []],
            **nav_context("record"),
        }


def linked_work(links_out, links_in):
    """Changes and problems linked to the improvement, either direction (from the ticket page's links)."""
    kinds = ("change", "problem")
    pairs = [(link, link.target) for link in links_out] + [(link, link.source) for link in links_in]
    return [{"link": link, "ticket": ticket, "url": link.url, "state": ui.state_label(ticket)}
            for link, ticket in pairs if ticket.kind in kinds]


CHECK_LABELS = {"baseline": gettext_lazy("Baseline"), "tasks": gettext_lazy("Tasks"),
                "result": gettext_lazy("Result"), "metric": gettext_lazy("Metric"), "stage": gettext_lazy("Stage")}


def put_step_errors(form, exc):
    """The service's refusal on the step form (core's placement); a refused step also gets a summary naming what
    is still needed."""
    form_errors_from(form, exc, CHECK_LABELS)
    if isinstance(exc, TransitionError):
        missing = [str(form.fields[name].label) for name in exc.errors if name in form.fields]
        if missing:
            form.add_error(None, _("Still needed to move on: %(fields)s.") % {"fields": ", ".join(missing)})
    return form


class ImprovementActionView(TicketActionView, ImprovementDetailView):
    actions = {**TicketActionView.actions, "stage": "act_stage", "assessment": "act_assessment",
               "add-task": "act_add_task", "task-done": "act_task_done", "set-rank": "act_set_rank",
               "measure": "act_measure"}

    def act_stage(self, improvement):
        """Save a step's content; "Save and go to the next step" (the current step only) also moves the record on."""
        stage = self.request.POST.get("step") or improvement.state
        if stage not in STAGE_FIELDS or improvement.state == CLOSED:
            return {"error": _("This step cannot be edited now; the page shows what is possible.")}
        if STEPS.index(stage) > STEPS.index(improvement.state):
            return {"error": _("This step cannot be edited yet; the page shows what is possible.")}
        advance = "advance" in self.request.POST and stage == improvement.state
        form_class = stage_form_class(stage, metric_fixed=improvement.baseline_captured_at is not None)
        user = self.request.user

        def write(changes, version):
            if advance:
                services.advance(improvement, user, changes, expected_version=version)
                messages.success(self.request, _("Moved on to “%(stage)s”.") % {"stage": STATES[next_stage(stage)]})
            elif changes:
                services.update_improvement(improvement, user, changes, expected_version=version)
                messages.success(self.request, _("Saved."))

        return self.run_versioned_form(f"stage:{stage}", form_class(self.request.POST, instance=improvement,
                                                                    prefix=f"step-{stage}"),
                                       write, put_errors=put_step_errors)

    def act_assessment(self, improvement):
        return self.run_versioned_form(
            "assessment", AssessmentForm(self.request.POST, instance=improvement, prefix="assessment"),
            lambda changes, version: services.update_improvement(improvement, self.request.user, changes,
                                                                 expected_version=version))

    def act_add_task(self, improvement):
        return self.run_form("task", TaskForm(self.request.POST, prefix="task"),
                             lambda data: services.save_task(improvement, self.request.user, data))

    def act_task_done(self, improvement):
        form = TaskDoneForm(self.request.POST)
        if not form.is_valid():
            return {"error": _("Choose a task of this improvement.")}
        task = get_object_or_404(improvement.tasks, pk=form.cleaned_data["task"])
        return self.run_service(lambda: services.save_task(improvement, self.request.user,
                                                           {"done": form.cleaned_data["done"]}, task=task))

    def act_set_rank(self, improvement):
        if not permissions.is_manager(self.request.user):
            raise PermissionDenied
        form = RankForm(self.request.POST, prefix="rank")
        return self.run_form("rank", form, lambda data: services.set_rank(
            improvement, self.request.user, data["rank"], data["reason"], expected_version=data["version"]))

    def act_measure(self, improvement):
        try:
            measured = services.measure_now(improvement, self.request.user,
                                            expected_version=parse_id(self.request.POST.get("version")))
        except TransitionError as exc:
            return {"error": " ".join(str(m) for errors in exc.errors.values() for m in errors)}
        messages.success(self.request, _("Measured now: %(value)s.") % {
            "value": dashboard.metric_value(measured.metric_name, measured.result_value)})
        return None


# --- dashboard and budgets ------------------------------------------------------------------------

@permissions.agent_required
def dashboard_view(request):
    return render(request, "improvement/dashboard.html", {**dashboard.figures(), **nav_context("dashboard"),
                                                          "urls": {"list": "improvement:list"}})


def _quarter_without_budget():
    """The first quarter from now on that has no budget yet (what a manager most likely sets next)."""
    quarter = services.current_quarter()
    taken = set(QuarterBudget.objects.filter(quarter__gte=quarter).values_list("quarter", flat=True))
    while quarter in taken:
        year, number = int(quarter[:4]), int(quarter[5])
        quarter = f"{year + 1}Q1" if number == 4 else f"{year}Q{number + 1}"
    return quarter


@permissions.agent_required
def budgets_view(request):
    """The quarter budgets with what is committed against them; managers create and edit them."""
    manager = permissions.is_manager(request.user)
    budget = None
    if request.method == "POST":
        if not manager:
            raise PermissionDenied
        pk = parse_id(request.POST.get("budget_id"))
        budget = get_object_or_404(QuarterBudget, pk=pk) if pk else None
        form = BudgetForm(request.POST, instance=budget)
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in ("quarter", "budget", "capacity_days", "notes")}
            try:
                saved = services.save_budget(request.user, data, budget=QuarterBudget.objects.get(pk=budget.pk)
                                             if budget else None)
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("The budget of %(quarter)s was saved.") % {"quarter": saved.quarter})
                return redirect("improvement:budgets")
    else:
        edit = request.GET.get("edit", "").strip().upper()
        budget = QuarterBudget.objects.filter(quarter=edit).first() if edit else None
        form = BudgetForm(instance=budget, initial=None if budget else {"quarter": _quarter_without_budget()})
    rows = dashboard.budget_lines(queries.committed_by_quarter()[::-1])
    return render(request, "improvement/budgets.html", {
        "rows": rows, "form": form if manager else None, "editing": budget, "manager": manager,
        "current_quarter": services.current_quarter(), **nav_context("budgets"),
        "urls": {"list": "improvement:list"},
    }, status=400 if form.errors else 200)
