"""Writes of a user's own account data: profile, API tokens, saved filters."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ApiToken, Profile, SavedFilter


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


# --- saved filters ---------------------------------------------------------------------------

def save_filter(user, kind, name, query):
    saved, _created = SavedFilter.objects.update_or_create(user=user, kind=kind, name=name.strip(),
                                                           defaults={"query": query[:2000]})
    return saved


def delete_filter(user, filter_id):
    return SavedFilter.objects.filter(user=user, pk=filter_id).delete()[0] > 0
