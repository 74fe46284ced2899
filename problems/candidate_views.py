"""The page of trend-analysis candidates: agents review the evidence, accept (creates the problem) or dismiss."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import permissions

from . import candidate_queries, candidate_services, trends
from .models import Candidate
from .queries import problem_url

SHOWN = 50  # candidates on the page, highest score first
NUMBERS_SHOWN = 30  # incident numbers listed per candidate



@permissions.agent_required
def candidate_list(request):
    shown = list(candidate_queries.candidates().order_by("-score", "-id")[:SHOWN + 1])
    numbers = candidate_queries.incident_numbers(shown[:SHOWN], NUMBERS_SHOWN)
    rows = [{"candidate": candidate,
             "incidents": [(pk, numbers[pk]) for pk in candidate.incident_ids[:NUMBERS_SHOWN] if pk in numbers],
             "more": max(0, len(candidate.incident_ids) - NUMBERS_SHOWN)} for candidate in shown[:SHOWN]]
    return render(request, "problems/candidates.html", {
        "rows": rows, "truncated": len(shown) > SHOWN, "window_days": trends.options()["window_days"]})


@permissions.agent_required
@require_POST
def run(request):
    if trends.window_size(settings.PROBLEM_TREND_SYNC_LIMIT + 1) > settings.PROBLEM_TREND_SYNC_LIMIT:
        from .tasks import run_trend_analysis

        run_trend_analysis.delay()
        messages.info(request, _("Trend analysis was queued; reload this page in a few minutes."))
    else:
        summary = candidate_services.run_analysis()
        messages.success(request, _("Trend analysis read %(incidents)s incidents and found %(clusters)s clusters: "
                                    "%(created)s new candidates, %(reproposed)s proposed again.") % summary)
    return redirect("problem_candidates:list")


@permissions.agent_required
@require_POST
def accept(request, pk):
    candidate = get_object_or_404(Candidate, pk=pk)
    try:
        problem, created = candidate_services.accept_candidate(candidate, request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("problem_candidates:list")
    if created:
        messages.success(request, _("Problem %(number)s was created with its incidents linked.") % {
            "number": problem.number})
    return redirect(problem_url(problem))


@permissions.agent_required
@require_POST
def dismiss(request, pk):
    candidate = get_object_or_404(Candidate, pk=pk)
    try:
        candidate_services.dismiss_candidate(candidate, request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Dismissed: it is proposed again only if more incidents join it."))
    return redirect("problem_candidates:list")
