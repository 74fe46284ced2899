"""Service reviews (meetings with the customer) and their actions: every write, one transaction each."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import permissions
from core.services import PermissionDeniedError

from . import reports
from .models import ServiceReview, ServiceReviewAction

REVIEW_FIELDS = ("service", "organization", "date", "period", "participants", "findings", "decisions")
ACTION_FIELDS = ("description", "owner", "due_date", "status")


def _require_manager(actor):
    if not permissions.is_manager(actor):
        raise PermissionDeniedError(_("Only managers can record service reviews."))


def _set(instance, data, fields):
    for name in fields:
        if name in data:
            field = instance._meta.get_field(name)
            value = data[name]
            if field.is_relation and not hasattr(value, "pk"):
                setattr(instance, field.attname, value)
            else:
                setattr(instance, name, value)


def _clean_review(review):
    review.period = (review.period or "").strip().upper().replace("-Q", "Q")
    if review.period:
        try:
            reports.parse_period(review.period)
        except ValidationError:
            raise ValidationError({"period": [_("Enter a month (2026-10) or a quarter (2026Q3).")]})
    review.full_clean()


def _save_actions(review, actions):
    """Replace the review's actions: items with an id are updated, others created, missing ones deleted."""
    keep = []
    existing = {a.pk: a for a in review.actions.all()}
    errors = {}
    for index, item in enumerate(actions):
        action = existing.get(item.get("id")) if item.get("id") else None
        if item.get("id") and action is None:
            errors[f"actions[{index}]"] = [_("This action does not belong to the review.")]
            continue
        action = action or ServiceReviewAction(review=review)
        _set(action, item, ACTION_FIELDS)
        try:
            action.full_clean(exclude=["review"])
        except ValidationError as exc:
            errors[f"actions[{index}]"] = [f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()]
            continue
        action.save()
        keep.append(action.pk)
    if errors:
        raise ValidationError(errors)
    review.actions.exclude(pk__in=keep).delete()


@transaction.atomic
def create_review(actor, data, actions=()):
    _require_manager(actor)
    review = ServiceReview(created_by=actor)
    _set(review, data, REVIEW_FIELDS)
    _clean_review(review)
    review.save()
    _save_actions(review, actions)
    return review


@transaction.atomic
def update_review(review, actor, data, actions=None):
    """Change the review; `actions` (a list) replaces its actions, None leaves them alone."""
    _require_manager(actor)
    review = ServiceReview.objects.select_for_update().get(pk=review.pk)
    _set(review, data, REVIEW_FIELDS)
    review.updated_at = timezone.now()
    _clean_review(review)
    review.save()
    if actions is not None:
        _save_actions(review, actions)
    return review


@transaction.atomic
def delete_review(review, actor):
    _require_manager(actor)
    review.delete()


@transaction.atomic
def set_action_status(action, actor, status):
    """Owners and managers mark an action done (or open again)."""
    if not (permissions.is_manager(actor) or action.owner_id == actor.pk):
        raise PermissionDeniedError(_("Only the owner or a manager can change this action."))
    if status not in ServiceReviewAction.Status.values:
        raise ValidationError({"status": [_("Choose open or done.")]})
    ServiceReviewAction.objects.filter(pk=action.pk).update(status=status)
    action.status = status
    return action


def reviews_for(user):
    """Service reviews are read by service desk staff."""
    qs = ServiceReview.objects.select_related("service", "organization", "created_by")
    return qs if permissions.is_agent(user) else qs.none()
