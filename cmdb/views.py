"""CMDB pages: the CI list, a CI's page (impact graph, relationships, open tickets, history) and forms."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import hooks, ui
from core.converters import parse_id

from . import graph, queries, services
from .filters import ConfigurationItemFilter
from .forms import ConfigurationItemForm, RelationshipForm
from .models import ConfigurationItem, Relationship

DIRECTIONS = ("impact", "upstream")
LIST_LIMIT = 500  # rows shown in the page's list; the API and the export give them all


def _require_reader(request):
    if not queries.can_read(request.user):
        raise PermissionDenied


def _require_writer(request):
    if not queries.can_write(request.user):
        raise PermissionDenied


@login_required
def ci_list(request):
    _require_reader(request)
    filterset = ConfigurationItemFilter(request.GET or None, queryset=queries.ci_list())
    qs = filterset.qs if not filterset.is_bound or filterset.is_valid() else queries.ci_list().none()
    page = ui.keyset_page(qs, ("name", "id"), after=request.GET.get("after", ""),
                          before=request.GET.get("before", ""))
    return render(request, "cmdb/ci_list.html", {
        "filter": filterset, "page": page, "query": ui.query_without(request, "after", "before"),
        "can_write": queries.can_write(request.user)})


def _ticket_rows(ci):
    rows = []
    for ticket in queries.open_tickets(ci):
        kind = hooks.ticket_kinds.get(ticket.kind)
        url = ""
        if kind and kind.url_name:
            try:
                url = reverse(kind.url_name, args=[ticket.pk])
            except NoReverseMatch:
                url = ""
        state = kind.workflow.label(ticket.state) if kind else ticket.state
        rows.append({"ticket": ticket, "url": url, "state_label": state,
                     "kind_label": getattr(kind.model._meta, "verbose_name", ticket.kind) if kind else ticket.kind})
    return rows


def _depth(request):
    raw = request.GET.get("depth", "")
    return int(raw) if raw.isascii() and raw.isdigit() and 1 <= int(raw) <= 20 else 5


@login_required
def ci_detail(request, pk):
    _require_reader(request)
    ci = get_object_or_404(queries.ci_detail(), pk=pk)
    direction = request.GET.get("direction") if request.GET.get("direction") in DIRECTIONS else "impact"
    depth = _depth(request)
    walk = queries.impacted if direction == "impact" else queries.upstream
    rows = walk([ci.pk], max_depth=depth, include_start=True)
    relationships_out = ci.relationships_out.select_related("target__ci_class").order_by("kind", "target__name")
    relationships_in = ci.relationships_in.select_related("source__ci_class").order_by("kind", "source__name")
    found = [r for r in rows if r.depth > 0]
    return render(request, "cmdb/ci_detail.html", {
        "ci": ci, "rows": found[:LIST_LIMIT], "found": len(found), "direction": direction, "depth": depth,
        "depth_choices": (1, 2, 3, 5, 10, 20),
        "services": queries.impacted_services(rows) if direction == "impact" else [],
        "svg": graph.render_svg(rows, downstream=direction == "impact"),
        "relationships_out": relationships_out, "relationships_in": relationships_in,
        "tickets": _ticket_rows(ci), "history": queries.history(ci)[:100],
        "attributes": _attribute_rows(ci), "can_write": queries.can_write(request.user),
        "relationship_form": RelationshipForm()})


def _attribute_rows(ci):
    specs = ci.ci_class.attribute_schema if ci.ci_class_id else []
    known = [s["name"] for s in specs if isinstance(s, dict)]
    values = ci.attributes or {}
    names = known + sorted(set(values) - set(known))
    return [(name.replace("_", " ").capitalize(), values.get(name)) for name in names if name in values]


def _save_form(request, form, ci=None):
    if not form.is_valid():
        return None
    try:
        if ci is None:
            return services.create_ci(request.user, form.service_data())
        return services.update_ci(ci, request.user, form.service_data())
    except ValidationError as exc:
        form.add_service_errors(exc)
        return None


@login_required
def ci_create(request):
    _require_writer(request)
    if request.method == "POST":
        form = ConfigurationItemForm(request.POST)
        ci = _save_form(request, form)
        if ci is not None:
            messages.success(request, _("Configuration item %(name)s was created.") % {"name": ci.name})
            return redirect("cmdb:ci_detail", pk=ci.pk)
        return render(request, "cmdb/ci_form.html", {"form": form}, status=400)
    form = ConfigurationItemForm(initial={"ci_class": request.GET.get("ci_class")})
    return render(request, "cmdb/ci_form.html", {"form": form})


@login_required
def ci_edit(request, pk):
    _require_writer(request)
    ci = get_object_or_404(queries.ci_detail(), pk=pk)
    if request.method == "POST":
        form = ConfigurationItemForm(request.POST, instance=ConfigurationItem.objects.get(pk=ci.pk))
        saved = _save_form(request, form, ci)
        if saved is not None:
            messages.success(request, _("Configuration item %(name)s was saved.") % {"name": saved.name})
            return redirect("cmdb:ci_detail", pk=saved.pk)
        return render(request, "cmdb/ci_form.html", {"form": form, "ci": ci}, status=400)
    initial = {"ci_class": request.GET["ci_class"]} if parse_id(request.GET.get("ci_class")) else {}
    form = ConfigurationItemForm(instance=ci, initial=initial)
    return render(request, "cmdb/ci_form.html", {"form": form, "ci": ci})


@login_required
@require_POST
def relationship_add(request, pk):
    _require_writer(request)
    ci = get_object_or_404(ConfigurationItem, pk=pk)
    form = RelationshipForm(request.POST)
    if form.is_valid():
        other = form.cleaned_data["target"]
        source, target = (ci, other) if form.cleaned_data["direction"] == "out" else (other, ci)
        try:
            services.add_relationship(request.user, source, target, form.cleaned_data["kind"])
            messages.success(request, _("The relationship was added."))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
    else:
        for field_errors in form.errors.values():
            for message in field_errors:
                messages.error(request, message)
    return redirect("cmdb:ci_detail", pk=ci.pk)


@login_required
@require_POST
def relationship_remove(request, pk, rel_pk):
    _require_writer(request)
    relationship = get_object_or_404(Relationship.objects.select_related("source", "target"), pk=rel_pk)
    if pk not in (relationship.source_id, relationship.target_id):
        raise PermissionDenied
    services.remove_relationship(relationship, request.user)
    messages.success(request, _("The relationship was removed."))
    return redirect("cmdb:ci_detail", pk=pk)
