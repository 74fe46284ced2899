"""Writes of a user's own account data: login attempts, profile, API tokens, saved filters."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import ApiToken, LoginAttempt, Profile, SavedFilter


# --- login rate limit ------------------------------------------------------------------------

def login_blocked(username, ip_address):
    """True when the username or the client address used up its failed attempts in the window."""
    since = timezone.now() - timedelta(seconds=settings.LOGIN_RATE_WINDOW)
    recent = LoginAttempt.objects.filter(created_at__gte=since)
    limit = settings.LOGIN_RATE_LIMIT
    if username and recent.filter(username=username.lower()).count() >= limit:
        return True
    return bool(ip_address) and recent.filter(ip_address=ip_address).count() >= limit


def record_failed_login(username, ip_address):
    LoginAttempt.objects.create(username=(username or "").lower()[:150], ip_address=ip_address or None)


def clear_failed_logins(username):
    LoginAttempt.objects.filter(username=(username or "").lower()).delete()


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


# --- API tokens --------------------------------------------------------------------------------

def create_token(user, name, expires_at=None):
    """Returns (token, key); the key is shown once."""
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
        from django.core.exceptions import ValidationError
        from django.utils.translation import gettext as _

        raise ValidationError({"team": _("You can share a view only with a team you belong to.")})
    saved, _created = SavedFilter.objects.update_or_create(user=user, kind=kind, name=name.strip(),
                                                           defaults={"query": query[:2000], "team": team})
    return saved


def delete_filter(user, filter_id):
    return SavedFilter.objects.filter(user=user, pk=filter_id).delete()[0] > 0
