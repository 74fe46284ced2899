from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from . import permissions, registry


def roles(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"is_agent": False, "is_manager": False}
    return {"is_agent": permissions.is_agent(user), "is_manager": permissions.is_manager(user)}


def navigation(request):
    """The header menu entries the user may see, from the apps' declarations (core/registry.py)."""
    def entries():
        return [{"label": entry.label, "url": reverse(entry.url_name), "hotkey": entry.hotkey}
                for entry in registry.menu_for(getattr(request, "user", None))]

    return {"nav_entries": SimpleLazyObject(entries)}
