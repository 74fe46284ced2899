"""The incident queue, page, forms and inline actions. Every write goes through the services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import account_services, counting, permissions, ui, workspace_views
from core import services as core_services
from core.forms import ReportProblemForm
from core.models import Channel
from core.views import portal
from core.workflow import TransitionError

from . import queries, services, workflow
from .filters import ORDERINGS, IncidentFilter
from .forms import (ROW_FIELDS, AttachmentForm, CommentForm, IncidentEditForm, IncidentForm, LinkForm,
                    ReassignForm, TransitionForm, prepare_filter_form)
from .models import Incident

KIND = "incident"

QUEUE_COLUMNS = ui.ticket_columns("number", "title", "state", "priority", "service", "team", "assignee", "sla_due",
                                  "updated")


def _agent_required(request):
    if not permissions.is_agent(request.user):
        raise PermissionDenied


# --- queue ---------------------------------------------------------------------------------------

@login_required
def incident_list(request):
    if not permissions.is_agent(request.user):
        return redirect("home")
    # kind= is implied by the join, but lets PostgreSQL use the (kind, state|priority, -id) indexes.
    base = (queries.incident_list(request.user).filter(kind=KIND).prefetch_related(None)
            .select_related(None).select_related("team", "assignee", "service").only(*ROW_FIELDS))
    filterset = IncidentFilter(request.GET or None, queryset=base, request=request)
    prepare_filter_form(filterset.form)
    ordering_key = request.GET.get("ordering") if request.GET.get("ordering") in ORDERINGS else "-id"
    page = ui.keyset_page(filterset.qs, ORDERINGS[ordering_key], after=request.GET.get("after", ""),
                          before=request.GET.get("before", ""))
    detail_prefix = reverse("incidents:detail", args=[0])[:-2]
    state_texts = {state: str(label) for state, label in workflow.STATES.items()}
    for row in page.rows:
        row.url = f"{detail_prefix}{row.pk}/"
        row.state_text = state_texts.get(row.state, row.state)
    query = ui.query_without(request, "after", "before")
    form = filterset.form
    context = {
        "filter": filterset, "page": page, "query": query,
        "rows_html": ui.rows_html(page.rows, QUEUE_COLUMNS, _("No incidents match this filter."), selectable=True,
                                  sort_query=ui.query_without(request, "after", "before", "ordering")),
        "total_label": counting.count_label(counting.count_or_estimate(filterset.qs), Incident),
        "main_filters_html": ui.fields_html(form.main_fields),
        "more_filters_html": ui.fields_html(form.more_fields),
        "saved_filters": list(account_services.saved_views(request.user, KIND)),
        **workspace_views.bulk_bar_context(request, KIND),
    }
    return render(request, "incidents/list.html", context)


# --- create and edit ---------------------------------------------------------------------------

@login_required
def incident_create(request):
    _agent_required(request)
    form = IncidentForm(request.POST or None, initial={"channel": Channel.PHONE})
    if request.method == "POST" and form.is_valid():
        data = {name: value for name, value in form.cleaned_data.items() if value not in (None, "")}
        try:
            incident = services.create_incident(request.user, data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Incident %(number)s was created.") % {"number": incident.number})
            return redirect("incidents:detail", pk=incident.pk)
    return render(request, "incidents/form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def incident_edit(request, pk):
    incident = get_object_or_404(queries.incident_detail(request.user), pk=pk)
    _agent_required(request)
    form = IncidentEditForm(request.POST or None, instance=_fresh(pk))
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.update_incident(incident, request.user, form.changed_values(),
                                     expected_version=form.cleaned_data["version"])
        except core_services.ConflictError as exc:
            conflict = _conflict(form, pk, exc.current_version)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Incident %(number)s was saved.") % {"number": incident.number})
            return redirect("incidents:detail", pk=pk)
    status = 409 if conflict else 400 if form.errors else 200
    return render(request, "incidents/form.html", {"form": form, "incident": incident, "conflict": conflict},
                  status=status)


def _fresh(pk):
    return Incident.objects.select_related("parent").get(pk=pk)


def _conflict(form, pk, current_version):
    """What someone else saved meanwhile: each field where the stored value differs from the user's input.
    The user's input is kept; the form now carries the current version so saving again applies it."""
    current = _fresh(pk)
    stored = IncidentForm(instance=current)
    differences = []
    for name in form.Meta.fields:
        if stored.fields[name].has_changed(stored.initial.get(name), form[name].data):
            differences.append({"label": form.fields[name].label, "mine": _shown(form, name),
                                "theirs": _stored_value(current, name)})
    data = form.data.copy()
    data["version"] = current_version
    form.data = data
    return {"differences": differences, "version": current_version}


def _shown(form, name):
    value = form.cleaned_data.get(name)
    choices = getattr(form.fields[name], "choices", None)
    if choices is not None and not hasattr(value, "pk"):
        value = dict((str(k), v) for k, v in choices).get(str(value), value)
    return _plain(value)


def _stored_value(incident, name):
    display = getattr(incident, f"get_{name}_display", None)
    return _plain(display() if display else getattr(incident, name))


def _plain(value):
    if hasattr(value, "get_full_name"):
        return value.get_full_name() or value.username
    if hasattr(value, "number"):
        return value.number
    return "—" if value in (None, "") else value


def _add_errors(form, exc):
    for name, errors in exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]:
        form.add_error(name if name in form.fields else None, errors)


@login_required
@require_POST
def report(request):
    """The requester portal's "report a problem" form."""
    form = ReportProblemForm(request.POST)
    if not form.is_valid():
        return portal(request, report_form=form, status=400)
    incident = services.create_incident(request.user, {
        "title": form.cleaned_data["title"], "description": form.cleaned_data["description"],
        "requester": request.user, "channel": Channel.PORTAL})
    messages.success(request, _("Thank you. Your incident %(number)s was recorded.") % {"number": incident.number})
    return redirect("incidents:detail", pk=incident.pk)


# --- detail and inline actions ---------------------------------------------------------------

@login_required
def incident_detail(request, pk):
    incident = get_object_or_404(queries.incident_detail(request.user), pk=pk)
    return render_detail(request, incident)


def _transition_forms(request, incident, bound=None):
    children = services.open_children(incident).count() if incident.children.exists() else 0
    result = []
    for transition in core_services.allowed_transitions(incident, request.user):
        if bound is not None and bound.transition.to == transition.to:
            result.append(bound)
            continue
        form = TransitionForm(transition=transition, prefix=transition.to, initial={"version": incident.version},
                              open_children=children if transition.to == workflow.RESOLVED else 0)
        result.append(form)
    return result


def render_detail(request, incident, bound=None, status=200):
    """The incident page; `bound` holds a submitted action form (with its errors) to show instead."""
    bound = bound or {}
    staff = permissions.can_see_internal(request.user)
    context = {
        "incident": incident,
        "staff": staff,
        "is_open": incident.state in workflow.WORKFLOW.open_states,
        "can_edit": permissions.can_edit(request.user, incident),
        "timeline": ui.build_timeline(incident, request.user),
        "attachments": incident.attachments.filter(**({} if staff else {"is_internal": False}))
        .select_related("uploaded_by"),
        "links_out": incident.links_out.select_related("target"),
        "links_in": incident.links_in.select_related("source"),
        "children": incident.children.select_related("assignee").order_by("id"),
        "transition_forms": _transition_forms(request, incident, bound.get("transition")),
        "comment_form": bound.get("comment") or CommentForm(staff=staff),
        "attachment_form": bound.get("attach") or AttachmentForm(staff=staff),
        "link_form": bound.get("link") or LinkForm(),
        "reassign_form": bound.get("reassign") or ReassignForm(
            team=incident.team, initial={"team": incident.team_id, "assignee": incident.assignee_id,
                                         "version": incident.version}),
        "panels": ui.render_panels(incident, request),
        "action_error": bound.get("error"),
    }
    for link in context["links_out"]:
        link.url = ui.ticket_url(link.target)
    for link in context["links_in"]:
        link.url = ui.ticket_url(link.source)
    template = "incidents/_ticket.html" if request.htmx else "incidents/detail.html"
    return render(request, template, context, status=200 if request.htmx else status)


@login_required
@require_POST
def action(request, pk, name):
    incident = get_object_or_404(queries.incident_detail(request.user), pk=pk)
    handler = ACTIONS.get(name)
    if handler is None:
        raise PermissionDenied
    try:
        bound = handler(request, incident)
    except core_services.PermissionDeniedError as exc:
        raise PermissionDenied(str(exc))
    except core_services.ConflictError:
        bound = {"error": _("Someone else changed this incident meanwhile. The page now shows the current "
                            "version; please try again.")}
    if bound:
        incident = get_object_or_404(queries.incident_detail(request.user), pk=pk)
        return render_detail(request, incident, bound, status=400)
    if request.htmx:
        incident = get_object_or_404(queries.incident_detail(request.user), pk=pk)
        return render_detail(request, incident)
    return redirect("incidents:detail", pk=pk)


def _errors_into(form, exc):
    _add_errors(form, exc)
    return form


def act_assign_me(request, incident):
    _agent_required(request)
    team = incident.team if incident.team and incident.team.members.filter(pk=request.user.pk).exists() else None
    if incident.team_id and team is None:
        team = request.user.teams.order_by("name").first()
    try:
        core_services.assign(incident, request.user, team=team, assignee=request.user)
    except ValidationError as exc:
        return {"error": " ".join(exc.messages)}
    return None


def act_reassign(request, incident):
    _agent_required(request)
    form = ReassignForm(request.POST)
    if not form.is_valid():
        return {"reassign": form}
    data = form.cleaned_data
    try:
        core_services.update_ticket(incident, request.user, {"team": data["team"], "assignee": data["assignee"]},
                                    expected_version=data["version"])
    except ValidationError as exc:
        return {"reassign": _errors_into(form, exc)}
    return None


def act_transition(request, incident):
    to = request.POST.get("to", "")
    transition = workflow.WORKFLOW.get(incident.state, to)
    if transition is None:
        return {"error": _("This incident cannot move to that state now; the page shows what is possible.")}
    form = TransitionForm(request.POST, transition=transition, prefix=to,
                          open_children=services.open_children(incident).count())
    if not form.is_valid():
        return {"transition": form}
    try:
        services.transition_incident(incident, request.user, to, form.transition_data(),
                                     expected_version=form.cleaned_data["version"],
                                     comment=form.cleaned_data.get("comment", ""),
                                     resolve_children=form.cleaned_data.get("resolve_children", False))
    except TransitionError as exc:
        for name, errors in exc.errors.items():
            form.add_error(name if name in form.fields else None, errors)
        return {"transition": form}
    except ValidationError as exc:
        return {"transition": _errors_into(form, exc)}
    return None


def act_comment(request, incident):
    staff = permissions.can_see_internal(request.user)
    if not permissions.can_comment(request.user, incident):
        raise PermissionDenied
    form = CommentForm(request.POST, staff=staff)
    if not form.is_valid():
        return {"comment": form}
    try:
        core_services.add_comment(incident, request.user, form.cleaned_data["body"],
                                  internal=form.cleaned_data.get("internal", False))
    except ValidationError as exc:
        return {"comment": _errors_into(form, exc)}
    return None


def act_attach(request, incident):
    staff = permissions.can_see_internal(request.user)
    form = AttachmentForm(request.POST, request.FILES, staff=staff)
    if not form.is_valid():
        return {"attach": form}
    try:
        core_services.add_attachment(incident, request.user, form.cleaned_data["file"],
                                     internal=form.cleaned_data.get("internal", False))
    except ValidationError as exc:
        return {"attach": _errors_into(form, exc)}
    return None


def act_link(request, incident):
    _agent_required(request)
    form = LinkForm(request.POST)
    if not form.is_valid():
        return {"link": form}
    try:
        core_services.add_link(incident, request.user, form.target, form.cleaned_data["kind"])
    except ValidationError as exc:
        return {"link": _errors_into(form, exc)}
    return None


def act_major(request, incident):
    """Declare a major incident (the declarer manages it unless someone already does), or stand it down."""
    _agent_required(request)
    data = {"is_major": not incident.is_major}
    if data["is_major"] and not incident.major_incident_manager_id:
        data["major_incident_manager"] = request.user
    try:
        services.update_incident(incident, request.user, data)
    except ValidationError as exc:
        return {"error": " ".join(exc.messages)}
    return None


ACTIONS = {"major": act_major, "assign-me": act_assign_me, "reassign": act_reassign, "transition": act_transition,
           "comment": act_comment, "attach": act_attach, "link": act_link}
