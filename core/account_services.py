"""Writes of a user's own account data: profile, notification preferences, API tokens, saved filters."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ApiToken, NotificationEvent, NotificationPreference, Profile, SavedFilter


# --- profile ---------------------------------------------------------------------------------

def profile_for(user):
    profile, _created = Profile.objects.get_or_create(user=user)
    return profile


@transaction.atomic
def update_profile(user, timezone_name, language, phone=None):
    profile = profile_for(user)
    profile.timezone = timezone_name
    profile.language = language
    if phone is not None:
        profile.phone = phone
    profile.full_clean()
    profile.save()
    return profile


# --- notification preferences --------------------------------------------------------------

def preference_table(user):
    """{event: {"in_app": bool, "email": bool}} for every event, defaults (both on) filled in."""
    table = {event: {"in_app": True, "email": True} for event in NotificationEvent.values}
    for row in NotificationPreference.objects.filter(user=user):
        if row.event in table:
            table[row.event] = {"in_app": row.in_app, "email": row.email}
    return table


@transaction.atomic
def set_preferences(user, choices):
    """choices: {event: {"in_app": bool, "email": bool}} (events left out keep their setting)."""
    unknown = sorted(set(choices) - set(NotificationEvent.values))
    if unknown:
        raise ValidationError({name: _("Unknown event.") for name in unknown})
    current = preference_table(user)
    for event, channels in choices.items():
        wanted = {**current[event], **{k: bool(v) for k, v in channels.items() if k in ("in_app", "email")}}
        NotificationPreference.objects.update_or_create(user=user, event=event, defaults=wanted)
    return preference_table(user)


# --- API tokens --------------------------------------------------------------------------------

def create_token(user, name, expires_at=None, minted_by=None):
    """Returns (token, key); the key is shown once. A token created with an expiring token (`minted_by`)
    expires no later than it (its expiry when none is given); an expiry in the past is refused."""
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": [_("The expiry must be in the future.")]})
    limit = getattr(minted_by, "expires_at", None)
    if limit is not None:
        if expires_at is None:
            expires_at = limit
        elif expires_at > limit:
            raise ValidationError({"expires_at": [
                _("A token cannot outlive the token that creates it (expires %(when)s).") % {
                    "when": limit.isoformat()}]})
    return ApiToken.generate(user, name, expires_at=expires_at)


def revoke_token(user, token_id):
    return ApiToken.objects.filter(user=user, pk=token_id, revoked_at__isnull=True).update(
        revoked_at=timezone.now()) > 0


# --- saved views (the list's query string, incl. ordering; personal or shared with a team) ------

def saved_views(user, kind):
    """The views of a list a user sees: their own and those shared with one of their teams."""
    from django.db.models import Q

    from .models import Team

    teams = Team.members.through.objects.filter(user_id=user.pk).values("team_id")
    return (SavedFilter.objects.filter(kind=kind).filter(Q(user=user) | Q(team_id__in=teams))
            .select_related("team").order_by("name", "id"))


@transaction.atomic
def save_filter(user, kind, name, query, team=None):
    """Create or replace the user's view `name`; `team` (one of the user's teams) shares it."""
    if team is not None and not team.members.filter(pk=user.pk).exists():
        raise ValidationError({"team": _("You can share a view only with a team you belong to.")})
    saved, _created = SavedFilter.objects.update_or_create(user=user, kind=kind, name=name.strip(),
                                                           defaults={"query": query[:2000], "team": team})
    return saved


def delete_filter(user, filter_id):
    return SavedFilter.objects.filter(user=user, pk=filter_id).delete()[0] > 0


# --- ticket page preferences -------------------------------------------------------------------

@transaction.atomic
def set_timeline_order(user, order):
    """Remember whether the user reads ticket timelines newest or oldest first."""
    from .models import TimelineOrder

    if order not in TimelineOrder.values:
        raise ValidationError({"order": _("Unknown timeline order.")})
    profile = profile_for(user)
    if profile.timeline_order != order:
        profile.timeline_order = order
        profile.save(update_fields=["timeline_order"])
    return profile
