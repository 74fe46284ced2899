"""The problem reports page (service desk staff; in the managers' menu)."""


from django.shortcuts import render
from django.views.decorators.http import require_GET

from core import permissions
from core.periods import PeriodForm

from . import reports
from .queries import problem_url


class ReportPeriodForm(PeriodForm):
    default_days = 30


def _with_urls(rows, key="problem_id"):
    for row in rows:
        row["url"] = problem_url(row[key])
    return rows


@permissions.agent_required
@require_GET
def index(request):
    form = ReportPeriodForm(request.GET)
    context = {"form": form}
    if form.is_valid():
        data = form.cleaned_data
        period = reports.Period.of_dates(data["start"], data["end"])
        recurrence = reports.recurrence_after_fix(period)
        for entry in recurrence:
            entry["url"] = problem_url(entry["problem"].pk)
        workaround = reports.resolved_by_workaround(period)
        _with_urls(workaround["rows"])
        context.update({
            "start": data["start"], "end": data["end"], "ages": reports.open_by_age_and_service(),
            "per_known_error": _with_urls(reports.incidents_per_known_error(period)),
            "by_workaround": workaround, "recurrence": recurrence,
        })
    return render(request, "problems/reports.html", context, status=400 if form.errors else 200)
