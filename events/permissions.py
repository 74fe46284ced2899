"""Who may post events (integration accounts and admins) and read alerts (service desk staff)."""

import time

from rest_framework.permissions import BasePermission

from core import permissions

INTEGRATION = "integration"
# A token's "may post" answer is remembered this many seconds, sparing the hot path its group query; the token
# itself (revoked, expired) is still checked on every request by the authentication class.
TOKEN_DECISION_TTL = 30.0
_token_decisions = {}


def can_post_events(user):
    return user.is_authenticated and (user.is_superuser or permissions.has_role(user, INTEGRATION,
                                                                                permissions.ADMIN))


def can_read_alerts(user):
    return permissions.is_agent(user)


def _decide_for_token(token, user):
    now = time.monotonic()
    cached = _token_decisions.get(token.key_hash)
    if cached and cached[0] > now:
        return cached[1]
    allowed = can_post_events(user)
    if len(_token_decisions) > 10_000:
        _token_decisions.clear()
    _token_decisions[token.key_hash] = (now + TOKEN_DECISION_TTL, allowed)
    return allowed


class CanPostEvents(BasePermission):
    def has_permission(self, request, view):
        token = request.auth
        if token is not None and getattr(token, "key_hash", None):
            return _decide_for_token(token, request.user)
        return can_post_events(request.user)


class CanReadAlerts(BasePermission):
    def has_permission(self, request, view):
        return can_read_alerts(request.user)
