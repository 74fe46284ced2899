"""The change calendar: month, week and list views of changes (with their conflicts), blackout windows and
agreement maintenance windows. Staff only; server-rendered."""

import calendar as pycalendar
import datetime as dt

from django import forms
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from core.periods import date_bounds_error
from core.permissions import agent_required

from . import schedule

VIEWS = ("month", "week", "list")
PER_DAY = 6  # changes shown in a month cell before "+N more"


class CalendarFilterForm(forms.Form):
    view = forms.ChoiceField(label=_("View"), required=False,
                             choices=[("month", _("Month")), ("week", _("Week")), ("list", _("List"))])
    date = forms.DateField(label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    service = forms.ModelChoiceField(label=_("Service"), required=False, queryset=None,
                                     empty_label=_("All services"))
    team = forms.ModelChoiceField(label=_("Team"), required=False, queryset=None, empty_label=_("All teams"))

    def __init__(self, *args, **kwargs):
        from core.models import Team
        from slm.models import Service

        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.exclude(status=Service.Status.RETIRED).only("id", "name")
        self.fields["team"].queryset = Team.objects.only("id", "name")

    def clean_date(self):
        value = self.cleaned_data.get("date")
        message = date_bounds_error(value)
        if message:
            raise forms.ValidationError(message)
        return value


def _add_months(day, months):
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, pycalendar.monthrange(year, month)[1]))


def _bounds(view, day):
    """(first day, day after the last, previous date, next date) of the page."""
    if view == "week":
        first = day - dt.timedelta(days=day.weekday())
        return first, first + dt.timedelta(days=7), day - dt.timedelta(days=7), day + dt.timedelta(days=7)
    month_first = day.replace(day=1)
    month_end = _add_months(month_first, 1)
    if view == "month":
        first = month_first - dt.timedelta(days=month_first.weekday())
        last = month_end + dt.timedelta(days=(7 - month_end.weekday()) % 7)
    else:
        first, last = month_first, month_end
    return first, last, _add_months(month_first, -1), month_end


def _midnight(day):
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def _items(found):
    """Every entry of the range as one display dict: kind, start, end, label, url, title text, css classes."""
    items = []
    for entry in found["changes"]:
        details = [c["detail"] for c in entry["conflicts"]]
        items.append({
            "kind": "change", "start": entry["planned_start"], "end": entry["planned_end"], "entry": entry,
            "url": reverse("changes:detail", args=[entry["id"]]), "conflict": entry["conflict"],
            "conflict_text": "\n".join(details),
            "classes": f"entry change type-{entry['type']} risk-{entry['risk'] or 0} state-{entry['state']}"
                       + (" has-conflict" if entry["conflict"] else "")})
    for window in found["blackout_windows"]:
        items.append({"kind": "blackout", "start": window.start, "end": window.end, "window": window,
                      "services": [s.name for s in window.services.all()], "classes": "band blackout"})
    for occurrence in found["maintenance_windows"]:
        items.append({"kind": "maintenance", "start": occurrence["start"], "end": occurrence["end"],
                      "occurrence": occurrence, "services": [s["name"] for s in occurrence["services"]],
                      "classes": "band maintenance"})
    return sorted(items, key=lambda i: (i["kind"] == "change", i["start"], i["end"]))


def _days(first, last, items, today):
    """[{"date", "today", "bands": [...], "changes": [...]}] per local day, each item with its times that day."""
    days = {}
    day = first
    while day < last:
        days[day] = {"date": day, "today": day == today, "bands": [], "changes": [], "more": 0}
        day += dt.timedelta(days=1)
    for item in items:
        start, end = timezone.localtime(item["start"]), timezone.localtime(item["end"])
        day = max(start.date(), first)
        while day < last and _midnight(day) < item["end"]:
            shown = {**item, "from": start.time() if start.date() == day else None,
                     "until": end.time() if end.date() == day else None}
            days[day]["bands" if item["kind"] != "change" else "changes"].append(shown)
            day += dt.timedelta(days=1)
    return list(days.values())


def _url(params, **changes):
    query = {key: value for key, value in {**params, **changes}.items() if value not in (None, "")}
    return f"{reverse('change_schedule:calendar')}?{urlencode(query)}"


@agent_required
def calendar(request):
    form = CalendarFilterForm(request.GET or None, initial={"date": timezone.localdate()})
    data = form.cleaned_data if form.is_valid() else {}
    view = data.get("view") or "month"
    today = timezone.localdate()
    day = data.get("date") or today
    service, team = data.get("service"), data.get("team")
    first, last, previous, following = _bounds(view, day)
    found = schedule.entries(_midnight(first), _midnight(last), request.user, service=service, team=team)
    items = _items(found)
    days = _days(first, last, items, today)
    params = {"view": view, "date": day.isoformat(), "service": service.pk if service else "",
              "team": team.pk if team else ""}
    if view == "month":
        for cell in days:
            cell["more"] = max(0, len(cell["changes"]) - PER_DAY)
            cell["changes"] = cell["changes"][:PER_DAY]
            cell["week_url"] = _url(params, view="week", date=cell["date"].isoformat())
    context = {
        "form": form, "view": view, "day": day, "first": first, "last": last - dt.timedelta(days=1),
        "weeks": [days[i:i + 7] for i in range(0, len(days), 7)], "days": days,
        "rows": sorted(items, key=lambda i: (i["start"], i["kind"] != "change")),
        "truncated": found["truncated"], "change_count": len(found["changes"]),
        "conflict_count": sum(1 for entry in found["changes"] if entry["conflict"]),
        "previous_url": _url(params, date=previous.isoformat()), "next_url": _url(params, date=following.isoformat()),
        "today_url": _url(params, date=today.isoformat()),
        "view_urls": [(name, label, _url(params, view=name)) for name, label in
                      (("month", _("Month")), ("week", _("Week")), ("list", _("List")))],
        "errors": form.errors if form.is_bound else None,
    }
    return render(request, "changes/schedule.html", context, status=400 if form.is_bound and form.errors else 200)
