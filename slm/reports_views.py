"""Server-rendered pages: compliance report, monthly service report, satisfaction survey, service reviews."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from core import hooks, permissions
from core.converters import parse_id
from core.services import PermissionDeniedError

from . import reports, reports_service, reviews, surveys
from .models import SatisfactionSurvey, Service, ServiceReview
from .reports_forms import (GROUP_BY_LABELS, ReportForm, ReviewActionFormSet, ServiceReportForm, ServiceReviewForm,
                            SurveyAnswerForm)

CHART_WIDTH, CHART_HEIGHT, CHART_TOP, AXIS_GUTTER = 560, 160, 16, 40


def trend_chart(trend):
    """Bar geometry of the compliance trend for an inline SVG (no JavaScript)."""
    slot = CHART_WIDTH / max(1, len(trend))
    bars = []
    for index, point in enumerate(trend):
        value = point["compliance"]
        height = 0 if value is None else CHART_HEIGHT * value / 100
        bars.append({"x": round(AXIS_GUTTER + index * slot + slot * 0.15, 1), "width": round(slot * 0.7, 1),
                     "y": round(CHART_TOP + CHART_HEIGHT - height, 1), "height": round(height, 1),
                     "label_x": round(AXIS_GUTTER + index * slot + slot / 2, 1), "period": point["period"],
                     "value": value,
                     "measured": point["measured"], "breached": value is not None and value < 100})
    return {"bars": bars, "width": AXIS_GUTTER + CHART_WIDTH, "gutter": AXIS_GUTTER, "axis_x": AXIS_GUTTER - 4,
            "height": CHART_HEIGHT + CHART_TOP + 24,
            "baseline": CHART_TOP + CHART_HEIGHT, "label_y": CHART_TOP + CHART_HEIGHT + 16,
            "grid": [{"y": CHART_TOP + CHART_HEIGHT * (1 - pct / 100), "pct": pct} for pct in (0, 50, 100)]}


def duration(seconds):
    """1d 2h 05m / 2h 05m / 5m 30s; "–" for nothing."""
    if seconds is None:
        return "–"
    days, rest = divmod(int(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return _("%(d)dd %(h)dh %(m)02dm") % {"d": days, "h": hours, "m": minutes}
    if hours:
        return _("%(h)dh %(m)02dm") % {"h": hours, "m": minutes}
    return _("%(m)dm %(s)02ds") % {"m": minutes, "s": secs}


def with_durations(rows):
    for row in rows:
        row["mtta_display"] = duration(row.get("mtta_seconds"))
        row["mttr_display"] = duration(row.get("mttr_seconds"))
        row["target_display"] = duration(row.get("target_seconds"))
    return rows


def _require_agent(request):
    if not permissions.is_agent(request.user):
        raise PermissionDenied


@login_required
def compliance_report(request):
    _require_agent(request)
    form = ReportForm(request.GET or None)
    context = {"form": form, "group_labels": GROUP_BY_LABELS}
    if not request.GET or form.is_valid():
        data = form.cleaned_data if request.GET else {"period_obj": reports.parse_period(), "group_by": "service",
                                                       "key": None}
        period, group_by, key = data["period_obj"], data["group_by"], data["key"]
        scope = form.scope() if request.GET else {"service": None, "organization": None, "team": None,
                                                   "category": None}
        timer_metric = data.get("timer_metric") or None
        report = reports.compliance(period, group_by, timer_metric=timer_metric, **scope)
        with_durations(report["rows"] + [report["total"]])
        services = [scope["service"]] if scope["service"] else None
        context.update({
            "report": report, "period": period, "group_by": group_by, "group_label": GROUP_BY_LABELS[group_by],
            "chart": trend_chart(report["trend"]), "selected_key": key,
            "breaches": reports.breaches(period, group_by, key=key, timer_metric=timer_metric, **scope),
            "availability": reports.availability(period, services, scope["organization"]),
            "satisfaction_by_service": reports.satisfaction(period, "service", **scope),
            "satisfaction_by_team": reports.satisfaction(period, "team", **scope),
            "satisfaction_total": reports.satisfaction_total(period, **scope),
            "incident_volume": reports.incident_volume(period, **scope),
            "query": {"period": request.GET.get("period", ""), "start": request.GET.get("start", ""),
                      "end": request.GET.get("end", ""), "group_by": group_by,
                      "filters": _filters_query(request.GET)},
        })
        for breach in context["breaches"]:
            breach.ticket_url = reports.ticket_url(breach.ticket.kind, breach.ticket_id)
    return render(request, "slm/reports/compliance.html", context, status=400 if form.errors else 200)


FILTERS = ("service", "organization", "team", "category", "timer_metric")


def _filters_query(params):
    """The scope filters of the page as a query-string tail ("&service=3&team=2"), for its drill-down links."""
    return "".join(f"&{name}={params[name]}" for name in FILTERS if params.get(name, "").isdigit()
                   or (name == "timer_metric" and params.get(name) in reports.TIMER_METRICS))


@login_required
def service_report(request, pk, export=False):
    _require_agent(request)
    service = get_object_or_404(Service, pk=pk)
    form = ServiceReportForm(request.GET)
    if not form.is_valid():
        return render(request, "slm/reports/service.html", {"form": form, "service": service}, status=400)
    organization = form.cleaned_data["organization"]
    report = reports_service.service_report(service, organization, form.cleaned_data["period_obj"])
    if export or request.GET.get("format") == "csv":
        response = HttpResponse(reports_service.service_report_csv(report), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="service-{service.pk}-{report["period"]["label"]}.csv"'
        return response
    with_durations(report["targets"] + [report["total"]])
    return render(request, "slm/reports/service.html", {
        "form": form, "service": service, "organization": organization, "report": report,
        "chart": trend_chart(report["trend"]), "csv_query": request.GET.urlencode(),
    })


@login_required
def survey_answer(request, pk):
    survey = get_object_or_404(SatisfactionSurvey.objects.select_related("ticket"), pk=pk)
    if survey.requester_id != request.user.pk:
        raise PermissionDenied
    form = SurveyAnswerForm(request.POST or None)
    if request.method == "POST" and not survey.is_answered and form.is_valid():
        try:
            surveys.answer_survey(survey, request.user, form.cleaned_data["rating"], form.cleaned_data["comment"])
        except surveys.SurveyAlreadyAnswered:
            pass
        except ValidationError as exc:
            form.add_error("rating", exc.message_dict.get("rating"))
        else:
            messages.success(request, _("Thank you for your feedback."))
            if request.POST.get("from_ticket"):
                return redirect(hooks.ticket_kinds[survey.ticket.kind].url("detail", survey.ticket_id))
            return redirect("slm:survey", pk=survey.pk)
    survey.refresh_from_db()
    return render(request, "slm/reports/survey.html", {"survey": survey, "form": form},
                  status=400 if form.is_bound and form.errors else 200)


# --- service reviews ------------------------------------------------------------------------------

@login_required
def review_list(request):
    _require_agent(request)
    qs = reviews.reviews_for(request.user)
    service = request.GET.get("service", "")
    if parse_id(service) is not None:
        qs = qs.filter(service_id=parse_id(service))
    return render(request, "slm/reports/review_list.html", {"reviews": qs[:200]})


@login_required
def review_detail(request, pk):
    _require_agent(request)
    review = get_object_or_404(reviews.reviews_for(request.user), pk=pk)
    report_url = reverse("slm:report-service", args=[review.service_id]) + f"?period={review.reviewed_period}"
    if review.organization_id:
        report_url += f"&organization={review.organization_id}"
    actions = list(review.actions.select_related("owner"))
    return render(request, "slm/reports/review_detail.html", {
        "review": review, "actions": actions, "action_rows": _action_rows(request, review, actions),
        "action_tools": bool(hooks.review_action_tools), "report_url": report_url})


def _action_rows(request, review, actions):
    """Each action with the tools other apps register for it (core.hooks.review_action_tools)."""
    tools = [(template, context_fn(request, review, actions) or {})
             for _order, template, context_fn in hooks.review_action_tools]
    return [{"action": action, "tools": [(template, found[action.pk]) for template, found in tools
                                         if found.get(action.pk)]} for action in actions]


def _action_items(formset):
    return [{"id": f.cleaned_data.get("id"), **{k: f.cleaned_data.get(k) for k in
                                                ("description", "owner", "due_date", "status")}}
            for f in formset.forms if f.cleaned_data.get("description") and not f.cleaned_data.get("DELETE")]


@login_required
def review_edit(request, pk=None):
    if not permissions.is_manager(request.user):
        raise PermissionDenied
    review = get_object_or_404(ServiceReview, pk=pk) if pk else None
    initial_actions = [{"id": a.pk, "description": a.description, "owner": a.owner_id, "due_date": a.due_date,
                        "status": a.status} for a in review.actions.all()] if review else []
    form = ServiceReviewForm(request.POST or None, instance=review)
    formset = ReviewActionFormSet(request.POST or None, initial=initial_actions, prefix="actions")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            if review:
                review = reviews.update_review(review, request.user, data, _action_items(formset))
            else:
                review = reviews.create_review(request.user, data, _action_items(formset))
        except PermissionDeniedError:
            raise PermissionDenied
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("The service review was saved."))
            return redirect("slm:review-detail", pk=review.pk)
    return render(request, "slm/reports/review_form.html", {"form": form, "formset": formset, "review": review},
                  status=400 if request.method == "POST" else 200)
