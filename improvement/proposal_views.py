"""The proposals review page (staff read; managers accept or dismiss with a reason), the conversions of a problem
and of a service review action, and the two buttons that ask for them: a panel on the problem page
(core.hooks.register_ticket_panel) and a tool beside each service review action
(core.hooks.register_review_action_tool), so that neither problems nor slm import improvement."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core import permissions, ui
from core.services import PermissionDeniedError

from . import feeds, proposal_queries
from .models import Proposal


class ProposalFilterForm(forms.Form):
    state = forms.ChoiceField(label=gettext_lazy("State"), required=False,
                              choices=[("", gettext_lazy("Any")), *Proposal.State.choices])
    source = forms.ChoiceField(label=gettext_lazy("Source"), required=False,
                               choices=[("", gettext_lazy("Any")), *proposal_queries.FEED_SOURCES])
    service = forms.CharField(required=False, widget=forms.HiddenInput)  # kept from a service's link


class DismissForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason for dismissing"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))


def _name(user):
    return (user.get_full_name() or user.username) if user else "—"


def _page(request, dismiss_forms=None, status=200):
    params = request.GET.copy()
    params.setdefault("state", Proposal.State.PENDING)  # the review list: what waits for a decision
    filter_form = ProposalFilterForm(params)
    qs = proposal_queries.proposals_for(request.user)
    filterset = proposal_queries.ProposalFilter(params, queryset=qs)
    if filterset.is_valid():
        qs = filterset.qs
    else:
        qs = qs.filter(state=Proposal.State.PENDING)
    page = ui.keyset_page(qs, ("-id",), after=request.GET.get("after", ""), before=request.GET.get("before", ""))
    dismiss_forms = dismiss_forms or {}
    rows = [{"proposal": proposal, "evidence": proposal_queries.evidence_rows(proposal),
             "text": feeds.describe_proposal(proposal), "decided_by": _name(proposal.decided_by),
             "dismiss_form": dismiss_forms.get(proposal.pk) or DismissForm(prefix=f"p{proposal.pk}")}
            for proposal in page.rows]
    shown = {row["proposal"].pk for row in rows}
    for pk, form in dismiss_forms.items():
        if pk not in shown:  # not on this page: say what was wrong above the list
            messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
    return render(request, "improvement/proposals.html", {
        "page": page, "rows": rows, "filter_form": filter_form, "query": ui.query_without(request, "after", "before"),
        "can_decide": permissions.is_manager(request.user)}, status=status)


@permissions.agent_required
def proposal_list(request):
    return _page(request)


def _require_manager(request):
    if not permissions.is_manager(request.user):
        raise PermissionDenied


@permissions.agent_required
@require_POST
def run(request):
    _require_manager(request)
    made = feeds.run_feeds()
    messages.success(request, _("The feeds proposed %(breaches)s improvements from SLA breaches and %(feedback)s "
                                "from complaints and low survey scores.") % {
        "breaches": made["breach_trend"], "feedback": made["feedback"]})
    return redirect("improvement_proposals:list")


@permissions.agent_required
@require_POST
def accept(request, pk):
    _require_manager(request)
    proposal = get_object_or_404(proposal_queries.proposals_for(request.user), pk=pk)
    try:
        improvement = feeds.accept(proposal, request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("improvement_proposals:list")
    messages.success(request, _("Improvement %(number)s was created from the proposal, with its evidence.") % {
        "number": improvement.number})
    return redirect("improvement:detail", improvement.pk)


@permissions.agent_required
@require_POST
def dismiss(request, pk):
    _require_manager(request)
    proposal = get_object_or_404(proposal_queries.proposals_for(request.user), pk=pk)
    form = DismissForm(request.POST, prefix=f"p{proposal.pk}")
    if form.is_valid():
        try:
            feeds.dismiss(proposal, request.user, form.cleaned_data["reason"])
        except ValidationError as error:
            if "reason" in getattr(error, "error_dict", {}):
                form.add_error("reason", error.error_dict["reason"])
            else:
                messages.error(request, " ".join(error.messages))
                return redirect("improvement_proposals:list")
        else:
            messages.success(request, _("The proposal was dismissed; it is not proposed again for the same "
                                        "period."))
            return redirect("improvement_proposals:list")
    return _page(request, {proposal.pk: form}, status=400)


# --- conversions --------------------------------------------------------------------------------------------

def _convert(request, write, back):
    try:
        improvement = write()
    except PermissionDeniedError:
        raise PermissionDenied
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    messages.success(request, _("Improvement %(number)s was created.") % {"number": improvement.number})
    return redirect("improvement:detail", improvement.pk)


@permissions.agent_required
@require_POST
def from_problem(request, pk):
    from problems.models import Problem

    problem = get_object_or_404(Problem, pk=pk)
    return _convert(request, lambda: feeds.from_problem(problem, request.user),
                    reverse("problems:detail", args=[problem.pk]))


@permissions.agent_required
@require_POST
def from_review_action(request, pk):
    from slm.models import ServiceReviewAction

    action = get_object_or_404(ServiceReviewAction, pk=pk)
    return _convert(request, lambda: feeds.from_review_action(action, request.user),
                    reverse("slm:review-detail", args=[action.review_id]))


# --- the buttons on other apps' pages ------------------------------------------------------------------------

def problem_panel_context(ticket, request):
    """The problem page's "Turn into an improvement" (staff), or the improvement made from it."""
    if ticket.kind != "problem" or not permissions.is_agent(request.user):
        return {"from_problem_panel": False}
    return {"from_problem_panel": True, "problem_improvement": feeds.converted_problem(ticket.pk)}


def review_action_context(request, review, actions):
    """Per service review action: the improvement made from it, or the button (staff only); one query."""
    if not permissions.is_agent(request.user) or not actions:
        return {}
    done = feeds.converted_actions(action.pk for action in actions)
    return {action.pk: {"improvement": done[action.pk]} if action.pk in done else
            {"convert_url": reverse("improvement_proposals:from-review-action", args=[action.pk])}
            for action in actions}
