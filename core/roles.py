"""Roles are Django groups; each app declares what each role may do with its models (core/registry.py).

Ticket visibility and work are object rules in core/permissions.py; these model permissions gate configuration.
"""

from . import permissions as p
from . import registry

# Roles granted every action on every installed app, Django's own included (auth, sessions, ...).
EVERY_APP_ROLES = {p.ADMIN: registry.ALL_ACTIONS}


def role_permissions():
    """role -> [(app_label or "*", actions)] for every role in core.permissions.ROLES."""
    declared = registry.role_grants()
    grants = {role: list(declared.get(role, [])) for role in p.ROLES}
    for role, actions in EVERY_APP_ROLES.items():
        grants[role].append(("*", actions))
    return grants


def sync_roles(apps=None, verbosity=0):
    """Create the role groups and give them their permissions (idempotent; runs after every migrate)."""
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    apps = apps or global_apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=verbosity, apps=global_apps)
    all_perms = list(Permission.objects.select_related("content_type"))
    withheld = registry.withheld_permissions()
    for role, grants in role_permissions().items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = []
        for perm in all_perms:
            app_label, model = perm.content_type.app_label, perm.content_type.model
            action = perm.codename.split("_", 1)[0]
            if (app_label, model, action) in withheld:
                continue
            for grant_app, actions in grants:
                if grant_app in ("*", app_label) and action in actions:
                    wanted.append(perm)
                    break
        group.permissions.set(wanted)
