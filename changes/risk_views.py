"""The risk panel's questionnaire: answers posted from the change page, saved through services.update_change
(which re-assesses the risk)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.permissions import agent_required
from core.services import ConflictError, PermissionDeniedError

from . import queries, services
from .models import RiskLevel


def answers_from(post):
    """{question id: option index} from the form's q_<id> fields (an empty choice leaves the question out)."""
    return {key[2:]: value for key, value in post.items() if key.startswith("q_") and value != ""}


@agent_required
@require_POST
def answer(request, pk):
    change = get_object_or_404(queries.change_detail(request.user), pk=pk)
    try:
        change = services.update_change(change, request.user, {"risk_answers": answers_from(request.POST)},
                                        request.POST.get("version") or None)
    except PermissionDeniedError as error:
        raise PermissionDenied(str(error))
    except ConflictError:
        messages.error(request, _("This change was changed meanwhile: check its risk and answer again."))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        level = RiskLevel(change.risk_level).label if change.risk_level else "—"
        messages.success(request, _("Risk assessed: %(level)s (score %(score)s).") % {
            "level": level, "score": change.risk_score if change.risk_score is not None else "—"})
    return redirect(queries.change_url(pk) + "#risk-panel")
