"""Roles are Django groups; what each may do in the admin and configuration screens is declared here.

Ticket visibility and work are object rules in core/permissions.py; these model permissions gate configuration.
"""

from . import permissions as p

# role -> list of (app_label, actions) ; "*" = every app
ROLE_PERMISSIONS = {
    p.REQUESTER: [],
    p.AGENT: [("core", ("view",)), ("incidents", ("view", "add", "change")), ("slm", ("view",)),
              ("cmdb", ("view",)), ("events", ("view",)), ("problems", ("view", "add", "change")),
              ("changes", ("view", "add", "change")), ("servicerequests", ("view", "add", "change")),
              ("improvement", ("view", "add", "change"))],
    p.MANAGER: [("core", ("view", "add", "change")), ("incidents", ("view", "add", "change", "delete")),
                ("slm", ("view", "add", "change", "delete")), ("cmdb", ("view", "add", "change", "delete")),
                ("events", ("view", "add", "change", "delete")), ("problems", ("view", "add", "change")),
                ("changes", ("view", "add", "change")), ("servicerequests", ("view", "add", "change", "delete")),
                ("improvement", ("view", "add", "change", "delete"))],
    p.CHANGE_AUTHORITY: [("changes", ("view", "add", "change")), ("incidents", ("view",)), ("cmdb", ("view",))],
    p.ADMIN: [("*", ("view", "add", "change", "delete"))],
    p.INTEGRATION: [("events", ("add",))],
}
NEVER = {("core", "auditentry", "change"), ("core", "auditentry", "delete")}


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
    for role, grants in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = []
        for perm in all_perms:
            app_label, model = perm.content_type.app_label, perm.content_type.model
            action = perm.codename.split("_", 1)[0]
            if (app_label, model, action) in NEVER:
                continue
            for grant_app, actions in grants:
                if grant_app in ("*", app_label) and action in actions:
                    wanted.append(perm)
                    break
        group.permissions.set(wanted)
