"""CAB meeting pages: the list (and a new meeting), a meeting with its agenda, minutes and decisions."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import permissions, ui
from core.permissions import agent_required
from core.services import PermissionDeniedError
from core.ticket_views import form_errors_from

from . import cab
from .cab_forms import DecisionForm, MeetingForm, MinutesForm
from .models import CabMeeting

PAGE_SIZE = 50


@agent_required
def meeting_list(request):
    form = MeetingForm(request.POST or None) if permissions.is_change_authority(request.user) else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                meeting = cab.create_meeting(request.user, form.cleaned_data)
            except ValidationError as error:
                form_errors_from(form, error)
            else:
                messages.success(request, _("Meeting “%(title)s” planned.") % {"title": meeting.title})
                return redirect("cab:detail", meeting.pk)
    page = ui.keyset_page(cab.meetings(), ("-starts_at", "-id"), after=request.GET.get("after", ""),
                          before=request.GET.get("before", ""), size=PAGE_SIZE)
    status = 400 if request.method == "POST" else 200
    return render(request, "changes/cab_list.html", {"page": page, "meetings": page.rows, "form": form},
                  status=status)


def _meeting(pk):
    return get_object_or_404(CabMeeting.objects.select_related("board__chair"), pk=pk)


def _detail(request, meeting, status=200, minutes_form=None, decision_forms=None):
    items = cab.agenda(meeting)
    decision_forms = decision_forms or {}
    for item in items:
        item.form = decision_forms.get(item.change_id) or DecisionForm(
            initial={"decision": item.decision or "approved", "notes": item.notes},
            prefix=f"item{item.pk}")
    return render(request, "changes/cab_detail.html", {
        "meeting": meeting, "items": items, "can_record": cab.can_record(request.user, meeting),
        "awaiting_count": cab.awaiting(meeting.board).exclude(agenda_items__meeting=meeting).count(),
        "minutes_form": minutes_form or MinutesForm(initial={"minutes": meeting.minutes,
                                                             "held": meeting.state == CabMeeting.State.HELD})},
        status=status)


@agent_required
def meeting_detail(request, pk):
    return _detail(request, _meeting(pk))


def _run(request, write, success):
    try:
        result = write()
    except PermissionDeniedError as error:
        raise PermissionDenied(str(error))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return None
    messages.success(request, success(result))
    return result


@agent_required
@require_POST
def build_agenda(request, pk):
    meeting = _meeting(pk)
    _run(request, lambda: cab.build_agenda(meeting, request.user),
         lambda added: _("%(count)d change(s) added to the agenda.") % {"count": added})
    return redirect("cab:detail", meeting.pk)


@agent_required
@require_POST
def save_minutes(request, pk):
    meeting = _meeting(pk)
    form = MinutesForm(request.POST)
    if not form.is_valid():
        return _detail(request, meeting, 400, minutes_form=form)
    _run(request, lambda: cab.save_minutes(meeting, request.user, form.cleaned_data["minutes"],
                                           held=form.cleaned_data["held"]),
         lambda _meeting: _("Minutes saved."))
    return redirect("cab:detail", meeting.pk)


@agent_required
@require_POST
def decide(request, pk, item_pk):
    meeting = _meeting(pk)
    item = get_object_or_404(meeting.agenda.select_related("change"), pk=item_pk)
    form = DecisionForm(request.POST, prefix=f"item{item.pk}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            cab.decide(meeting, request.user, item.change, data["decision"], data["notes"])
        except PermissionDeniedError as error:
            raise PermissionDenied(str(error))
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("Decision on %(number)s recorded.") % {"number": item.change.number})
            return redirect("cab:detail", meeting.pk)
    return _detail(request, meeting, 400, decision_forms={item.change_id: form})
