"""Releases (light): a version of CIs and services made available together, delivered by its changes. Deploying a
release records its version on each of its configuration items through cmdb.services.update_ci, so the new
version is in the CI's attribute history (CIAuditEntry)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import permissions
from core.services import PermissionDeniedError

from . import workflow
from .models import Change, Outcome, Release

FIELDS = ("name", "version", "description", "planned_date", "configuration_items", "services", "changes")
M2M = ("configuration_items", "services")
VERSION_ATTRIBUTE = "version"


def _require_manager(actor):
    if not permissions.is_change_authority(actor):
        raise PermissionDeniedError(_("Only managers and the change authority may manage releases."))


def _set_changes(release, actor, changes):
    """The release's changes are those given: each one joining or leaving is an audited change write."""
    from .services import update_change

    wanted = {getattr(change, "pk", change) for change in changes}
    current = set(Change.objects.filter(release=release).values_list("pk", flat=True))
    for change in Change.objects.filter(pk__in=wanted - current):
        update_change(change, actor, {"release": release})
    for change in Change.objects.filter(pk__in=current - wanted):
        update_change(change, actor, {"release": None})


@transaction.atomic
def save_release(actor, data, release=None):
    """Create or edit a planned release (name, version, description, planned date, CIs, services, changes)."""
    _require_manager(actor)
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise ValidationError({name: [_("This field cannot be set here.")] for name in unknown})
    if release is None:
        release = Release()
    else:
        release = Release.objects.select_for_update().get(pk=release.pk)
        if release.state != Release.State.PLANNED:
            raise ValidationError({"state": [_("Only a planned release can be changed.")]})
    for name, value in data.items():
        if name not in M2M and name != "changes":
            setattr(release, name, value)
    release.full_clean()
    release.save()
    for name in M2M:
        if name in data:
            getattr(release, name).set(data[name])
    if "changes" in data:
        _set_changes(release, actor, data["changes"])
    return release


def _missing_version_attribute(cis):
    return [ci for ci in cis
            if VERSION_ATTRIBUTE not in {spec.get("name") for spec in ci.ci_class.attribute_schema or []
                                         if isinstance(spec, dict)}]


DEPLOYABLE_STATES = (workflow.IMPLEMENT, workflow.REVIEW, workflow.CLOSED)
FAILED_OUTCOMES = (Outcome.FAILED, Outcome.BACKED_OUT)


def _blocking_changes(release):
    """The release's changes that keep it from being deployed: not implementing, in review or closed yet, or
    failed or backed out."""
    return list(Change.objects.filter(release=release).filter(
        ~Q(state__in=DEPLOYABLE_STATES) | Q(outcome__in=FAILED_OUTCOMES)).order_by("number"))


@transaction.atomic
def deploy(release, actor):
    """Deployed now: each of its CIs gets attributes["version"] = the release's version (in its history).
    Refused while one of its changes is not implementing, in review or closed, or failed or was backed out."""
    from cmdb import services as cmdb_services

    _require_manager(actor)
    release = Release.objects.select_for_update().get(pk=release.pk)
    if release.state != Release.State.PLANNED:
        raise ValidationError({"state": [_("Only a planned release can be deployed (this one is %(state)s).") % {
            "state": release.get_state_display()}]})
    blocking = _blocking_changes(release)
    if blocking:
        raise ValidationError({"changes": [
            _("A release is deployed once its changes are implemented and none failed or was backed out; not yet: "
              "%(numbers)s.") % {"numbers": ", ".join(change.number for change in blocking)}]})
    cis = list(release.configuration_items.select_related("ci_class").order_by("name"))
    missing = _missing_version_attribute(cis)
    if missing:
        raise ValidationError({"configuration_items": [
            _("These configuration items' classes have no “version” attribute to record the release on: "
              "%(names)s.") % {"names": ", ".join(ci.name for ci in missing)}]})
    for ci in cis:
        cmdb_services.update_ci(ci, actor, {"attributes": {**(ci.attributes or {}),
                                                           VERSION_ATTRIBUTE: release.version}})
    release.state, release.deployed_at = Release.State.DEPLOYED, timezone.now()
    release.save(update_fields=["state", "deployed_at"])
    return release


@transaction.atomic
def cancel(release, actor):
    _require_manager(actor)
    release = Release.objects.select_for_update().get(pk=release.pk)
    if release.state != Release.State.PLANNED:
        raise ValidationError({"state": [_("Only a planned release can be cancelled.")]})
    release.state = Release.State.CANCELLED
    release.save(update_fields=["state"])
    return release
