"""Customer satisfaction surveys: sent when a ticket is resolved, answered once by its requester."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import hooks
from core.models import Outbox
from core.services import PermissionDeniedError

from .models import SatisfactionSurvey

RATINGS = range(1, 6)


class SurveyAlreadyAnswered(Exception):
    """A survey is answered once."""


def on_ticket_written(ticket, changes, actor, action):
    """core.hooks.ticket_written: a ticket entering a resolved state gets a survey (once per ticket)."""
    state = changes.get("state")
    if not state:
        return
    registry = hooks.ticket_kinds.get(ticket.kind)
    if registry is None or not registry.requester_visible:  # internal work (problems, tasks) asks no requester
        return
    old, new = state
    resolved = registry.workflow.resolved_states
    if new in resolved and old not in resolved:
        send_survey(ticket)


def survey_path(survey):
    return f"/slm/surveys/{survey.pk}/"


def send_survey(ticket):
    """Create the ticket's survey and queue the invitation (an outbox row); None without a requester."""
    if not ticket.requester_id:
        return None
    survey, created = SatisfactionSurvey.objects.get_or_create(
        ticket_id=ticket.pk, defaults={"requester_id": ticket.requester_id, "sent_at": timezone.now()})
    if created and ticket.requester.email:
        Outbox.objects.create(
            recipient=ticket.requester.email, ticket_id=ticket.pk,
            subject=_("How did we do? %(number)s") % {"number": ticket.number},
            body=_("Your ticket %(number)s “%(title)s” was resolved. Please rate our service from 1 to 5: "
                   "%(path)s") % {"number": ticket.number, "title": ticket.title, "path": survey_path(survey)})
    return survey


def clean_rating(value):
    try:
        rating = int(value)
    except (TypeError, ValueError):
        rating = None
    if rating not in RATINGS or isinstance(value, bool) or (isinstance(value, float) and value != rating):
        raise ValidationError({"rating": [_("Choose a rating from 1 to 5.")]})
    return rating


@transaction.atomic
def answer_survey(survey, user, rating, comment=""):
    """The requester's answer; someone else: PermissionDeniedError; answered before: SurveyAlreadyAnswered."""
    survey = SatisfactionSurvey.objects.select_for_update().get(pk=survey.pk)
    if survey.requester_id != user.pk:
        raise PermissionDeniedError(_("Only the requester can answer this survey."))
    if survey.answered_at is not None:
        raise SurveyAlreadyAnswered(_("This survey has already been answered."))
    survey.rating = clean_rating(rating)
    survey.comment = (comment or "").strip()[:5000]
    survey.answered_at = timezone.now()
    survey.save(update_fields=["rating", "comment", "answered_at"])
    return survey


def surveys_of(user):
    """The surveys a user answers: their own."""
    return SatisfactionSurvey.objects.filter(requester=user).select_related("ticket")
