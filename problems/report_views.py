"""The problem reports page (service desk staff; in the managers' menu)."""

from datetime import timedelta

from django import forms
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from core import permissions

from . import reports
from .queries import problem_url

DEFAULT_DAYS = 30
MAX_DAYS = 731


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To (included)"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        end = data.get("end") or timezone.localdate()
        start = data.get("start") or end - timedelta(days=DEFAULT_DAYS - 1)
        if start > end:
            self.add_error("start", _("The start must not be after the end."))
        elif (end - start).days >= MAX_DAYS:
            self.add_error("start", _("A period is at most %(days)d days.") % {"days": MAX_DAYS})
        data["start"], data["end"] = start, end
        return data


def _with_urls(rows, key="problem_id"):
    for row in rows:
        row["url"] = problem_url(row[key])
    return rows


@permissions.agent_required
@require_GET
def index(request):
    form = PeriodForm(request.GET)
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
