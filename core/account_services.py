"""Writes of a user's own account data: profile, API tokens, saved filters."""

from django.db import transaction
from django.utils import timezone

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

def create_token(user, name, expires_at=None):
    """Returns (token, key); the key is shown once."""
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
