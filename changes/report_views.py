"""The change reports page (service desk staff; requesters 403), with a CSV export of the same figures."""

import csv

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core import permissions
from core.periods import PeriodForm

from . import reports
from .queries import change_url


class ReportPeriodForm(PeriodForm):
    default_days = 90


def figures(period):
    caused = reports.caused_incidents(period)
    for row in caused:
        row["url"] = change_url(row["change_id"])
    return {"overall": reports.success_overall(period), "by_type": reports.success_by_type(period),
            "by_model": reports.success_by_model(period), "by_template": reports.success_by_template(period),
            "caused": caused, "emergency": reports.emergency_share(period), "lead": reports.lead_time(period)}


def _csv(context):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="change-report-{context["start"]}-{context["end"]}.csv"'
    out = csv.writer(response)
    out.writerow([_("Figure"), _("Group"), _("Total"), _("Successful"), _("Rate (%)")])
    for row in context["by_type"]:
        out.writerow([_("Success by type"), row["label"], row["total"], row["successful"], row["rate"]])
    for row in context["by_model"]:
        out.writerow([_("Success by model"), row["label"] or _("No model"), row["total"], row["successful"],
                      row["rate"]])
    for row in context["by_template"]:
        out.writerow([_("Success by template"), row["template__name"], row["total"], row["successful"], row["rate"]])
    emergency = context["emergency"]
    out.writerow([_("Emergency changes"), "", emergency["total"], emergency["emergency"], emergency["share"]])
    for row in context["caused"]:
        out.writerow([_("Incidents caused"), row["number"], row["incidents"], "", ""])
    lead = context["lead"]
    out.writerow([_("Mean lead time (hours)"), "", lead["count"], lead["overall"], ""])
    for row in lead["by_type"]:
        out.writerow([_("Mean lead time (hours)"), row["label"], row["count"], row["hours"], ""])
    return response


@permissions.agent_required
@require_GET
def index(request):
    form = ReportPeriodForm(request.GET)
    context = {"form": form}
    if form.is_valid():
        data = form.cleaned_data
        context.update(start=data["start"], end=data["end"],
                       **figures(reports.Period.of_dates(data["start"], data["end"])))
        if request.GET.get("format") == "csv":
            return _csv(context)
    return render(request, "changes/reports.html", context, status=400 if form.errors else 200)
