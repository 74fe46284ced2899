import uuid
import zoneinfo

from django.utils import timezone, translation

from .context import request_id


class RequestIdMiddleware:
    """Tags audit entries written during a request with its id (X-Request-ID if the caller sent one)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        rid = request.headers.get("X-Request-ID", "")[:64] or uuid.uuid4().hex
        token = request_id.set(rid)
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response["X-Request-ID"] = rid
        return response


class UserTimezoneMiddleware:
    """Shows times in the user's time zone; applies the profile language unless the switcher chose one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        tz = None
        if user is not None and user.is_authenticated:
            profile = getattr(user, "profile", None)
            if profile is not None:
                try:
                    tz = zoneinfo.ZoneInfo(profile.timezone)
                except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                    tz = None
                if profile.language and not request.COOKIES.get("django_language"):
                    translation.activate(profile.language)
                    request.LANGUAGE_CODE = profile.language
        if tz:
            timezone.activate(tz)
        else:
            timezone.deactivate()
        return self.get_response(request)
