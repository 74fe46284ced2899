"""Approvals in the pages: the ticket page's panel (every kind), the list of what waits for me (My work and the
portal), approve / reject, and approval delegation on the profile page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import approvals, queries, ui
from .forms import ApprovalDelegationForm
from .models import Approval, ApprovalDelegation, ApprovalStage
from .services import PermissionDeniedError

WAITING_SIZE = 25


def panel_context(ticket, request):
    """The approval panel of a ticket page: its stages with their approvals (nothing when it has none), and
    which of the pending ones the viewer may decide. Constant queries whatever the number of approvals."""
    user = request.user
    rows = Approval.objects.select_related("approver__profile", "on_behalf_of__profile", "decided_by__profile")
    stages = list(ApprovalStage.objects.filter(ticket_id=ticket.pk).prefetch_related(
        Prefetch("approvals", queryset=rows)))
    if not stages:
        return {"approval_stages": []}
    every = [approval for stage in stages for approval in stage.approvals.all()]
    queries.approval_people(every, user)
    mine = set(approvals.waiting_for(user).filter(ticket_id=ticket.pk).values_list("pk", flat=True))
    for approval in every:
        approval.can_decide = approval.pk in mine
    return {"approval_stages": stages, "approval_next": request.get_full_path()}


def waiting_context(user, size=WAITING_SIZE):
    """{"approvals": what waits for `user` (at most `size`), each with .url}: for
    templates/components/approvals_waiting.html (My work, the portal). Three queries at most."""
    rows = list(approvals.waiting_for(user)[:size])
    for row in rows:
        row.url = ui.ticket_url(row.ticket)
    return {"approvals": rows, "approvals_size": size}


def _done(request, approval):
    target = ui.safe_next(request, ui.ticket_url(approval.ticket) or "/")
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return HttpResponseRedirect(target)


def _decide(request, pk, approve):
    approval = get_object_or_404(queries.approvals_visible_to(request.user), pk=pk)
    try:
        approvals.decide(approval, request.user, approve, request.POST.get("comment", ""))
    except PermissionDeniedError as error:
        messages.error(request, str(error))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, (_("%(number)s approved.") if approve else _("%(number)s rejected."))
                         % {"number": approval.ticket.number})
    return _done(request, approval)


@login_required
@require_POST
def approval_approve(request, pk):
    return _decide(request, pk, True)


@login_required
@require_POST
def approval_reject(request, pk):
    return _decide(request, pk, False)


# --- delegation on the profile page --------------------------------------------------------------------------

def delegation_context(user, form=None):
    return {"delegations": list(approvals.delegations_of(user).filter(user_id=user.pk)),
            "delegation_form": form or ApprovalDelegationForm(user=user)}


@login_required
@require_POST
def delegation_create(request):
    from .views import _profile_page

    form = ApprovalDelegationForm(request.POST, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            approvals.create_delegation(request.user, data["delegate"], data["starts_on"], data["ends_on"])
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, _("%(name)s approves for you from %(start)s to %(end)s.") % {
                "name": data["delegate"].get_full_name() or data["delegate"].username,
                "start": data["starts_on"], "end": data["ends_on"]})
            return redirect("profile")
    return _profile_page(request, delegation_form=form, status=400)


@login_required
@require_POST
def delegation_delete(request, pk):
    delegation = get_object_or_404(ApprovalDelegation, pk=pk, user_id=request.user.pk)
    approvals.delete_delegation(request.user, delegation)
    messages.success(request, _("The delegation was removed."))
    return redirect("profile")
