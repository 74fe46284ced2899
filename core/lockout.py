"""Login lockout (django-axes, configured in settings): the client address it counts and the page a locked
(username, address) pair gets."""

import ipaddress

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render


def client_address(request):
    """REMOTE_ADDR, or - only when TRUSTED_PROXY_COUNT proxies are configured in front of the app - the
    address the outermost trusted proxy saw in X-Forwarded-For (entries further left can be forged)."""
    remote = request.META.get("REMOTE_ADDR") or None
    count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if count > 0 and len(forwarded) >= count:
        return _address(forwarded[-count]) or remote
    return remote


def _address(value):
    """The IP address in a forwarded entry ("1.2.3.4", "1.2.3.4:5678", "[::1]:5678"), or None (e.g. "unknown":
    the attempt log's column only takes addresses)."""
    for candidate in (value, value.rsplit(":", 1)[0].strip("[]") if ":" in value else None):
        try:
            return str(ipaddress.ip_address(candidate)) if candidate else None
        except ValueError:
            continue
    return None


def locked_out(request, response=None, credentials=None):
    """The login page again, with the lockout message, answered 429."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    return render(request, "registration/login.html", {"form": form, "locked_out": True,
                                                       "next": request.POST.get("next", "")}, status=429)
