"""The app registry: what each app declares about itself on its AppConfig, and the readers that assemble it.

An app takes part by mixing `RegisteredApp` into its AppConfig and setting class attributes:

    class IncidentsConfig(RegisteredApp, AppConfig):
        name = "incidents"
        role_grants = {AGENT: VIEW_ADD_CHANGE, MANAGER: ALL_ACTIONS}
        api_urls = ("incidents.api.urls",)
        web_urls = (("incidents/", "incidents.urls"),)
        menu = (MenuEntry(_("Incidents"), "incidents:list", AGENTS, order=20),)

Roles (core/roles.py), the API (itsm/api.py), the site URLs (itsm/urls.py) and the header navigation
(core.context_processors.navigation) read these; nothing else lists the apps. Apps are read in INSTALLED_APPS
order. This module imports no app: the declarations are plain data.
"""

from dataclasses import dataclass

# Model permission actions, as in Django's codenames (view_incident, add_incident, ...).
VIEW = ("view",)
VIEW_ADD_CHANGE = ("view", "add", "change")
ALL_ACTIONS = ("view", "add", "change", "delete")

# Who sees a menu entry.
EVERYONE = "everyone"  # every signed-in user
REQUESTERS = "requesters"  # signed-in users who are not service desk staff
AGENTS = "agents"  # service desk staff: agents, managers, change authorities, admins (permissions.is_agent)
MANAGERS = "managers"  # managers and admins (permissions.is_manager)
ADMINS = "admins"  # admins only (permissions.is_admin)
AUDIENCES = (EVERYONE, REQUESTERS, AGENTS, MANAGERS, ADMINS)


@dataclass(frozen=True)
class MenuEntry:
    label: str  # gettext_lazy string
    url_name: str  # reversed without arguments, e.g. "incidents:list"
    audience: str = EVERYONE  # one of AUDIENCES
    order: int = 100  # position in the header, across every app (lower comes first)
    hotkey: str = ""  # rendered as data-hotkey="..." when set

    def __post_init__(self):
        if self.audience not in AUDIENCES:
            raise ValueError(f"unknown menu audience {self.audience!r}; use one of {AUDIENCES}")


class RegisteredApp:
    """Mixin for an AppConfig; the class attributes below are the app's whole declaration."""

    # role name (core.permissions.AGENT, ...) -> actions granted on every model of this app
    role_grants: dict[str, tuple[str, ...]] = {}
    # (model_name, action) pairs of this app that no role is ever given, not even admin
    withheld_permissions: frozenset[tuple[str, str]] = frozenset()
    # URLconf modules included under /api/v1/
    api_urls: tuple[str, ...] = ()
    # (prefix, URLconf module) included in the site's URLs; root ("") includes come after every prefixed one
    web_urls: tuple[tuple[str, str], ...] = ()
    # header navigation entries
    menu: tuple[MenuEntry, ...] = ()


def registered_apps():
    from django.apps import apps

    return [config for config in apps.get_app_configs() if isinstance(config, RegisteredApp)]


def role_grants():
    """role -> [(app_label, actions), ...] over every registered app."""
    grants = {}
    for config in registered_apps():
        for role, actions in config.role_grants.items():
            grants.setdefault(role, []).append((config.label, tuple(actions)))
    return grants


def withheld_permissions():
    """{(app_label, model_name, action)} that no role receives."""
    return {(config.label, model, action) for config in registered_apps()
            for model, action in config.withheld_permissions}


def api_url_modules():
    return [module for config in registered_apps() for module in config.api_urls]


def web_url_includes():
    """[(prefix, module)], prefixed includes first, then root ones, each group in INSTALLED_APPS order."""
    includes = [entry for config in registered_apps() for entry in config.web_urls]
    return sorted(includes, key=lambda entry: entry[0] == "")


def menu_entries():
    """Every entry of every app, ordered by `order` (ties keep INSTALLED_APPS and declaration order)."""
    entries = [entry for config in registered_apps() for entry in config.menu]
    return sorted(entries, key=lambda entry: entry.order)


def audiences_of(user):
    """The audiences a user belongs to (empty when signed out)."""
    from . import permissions

    if user is None or not user.is_authenticated:
        return set()
    if permissions.is_admin(user):
        return {EVERYONE, AGENTS, MANAGERS, ADMINS}
    if permissions.is_manager(user):
        return {EVERYONE, AGENTS, MANAGERS}
    if permissions.is_agent(user):
        return {EVERYONE, AGENTS}
    return {EVERYONE, REQUESTERS}


def menu_for(user):
    audiences = audiences_of(user)
    return [entry for entry in menu_entries() if entry.audience in audiences]
