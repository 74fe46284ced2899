"""What a change can affect in the CMDB: the services named on it plus those its CIs' impact reaches
(cmdb.queries.impacted, one recursive query), kept as ChangeService rows for risk and conflict detection."""

from cmdb import queries as cmdb_queries

from .models import ChangeCI, ChangeService


def affected_services(change):
    """[{"id", "name", "depth", "via_ci": id or None, "criticality"}] closest first: the change's services
    (depth 0, via none) and every service its CIs can affect."""
    from slm.models import Service

    ci_ids = list(ChangeCI.objects.filter(change=change).values_list("configuration_item_id", flat=True))
    if change.configuration_item_id:
        ci_ids.append(change.configuration_item_id)
    found = {}
    for service in change.services.all():
        found[service.pk] = {"id": service.pk, "depth": 0, "via_ci": None}
    if change.service_id and change.service_id not in found:
        found[change.service_id] = {"id": change.service_id, "depth": 0, "via_ci": None}
    if ci_ids:
        rows = cmdb_queries.impacted(ci_ids, include_start=True)
        for row in rows:
            if row.service_id and row.service_id not in found:
                found[row.service_id] = {"id": row.service_id, "depth": row.depth,
                                         "via_ci": row.path_ids[0] if row.path_ids else row.id}
    services = {s.pk: s for s in Service.objects.filter(pk__in=found)}
    result = []
    for pk, entry in found.items():
        service = services.get(pk)
        if service is not None:
            result.append({**entry, "name": service.name, "criticality": service.criticality})
    return sorted(result, key=lambda e: (e["depth"], e["criticality"], e["name"]))


def refresh_affected(change, services=None):
    """Rewrite the change's ChangeService rows from `services` (affected_services(change) by default)."""
    services = affected_services(change) if services is None else services
    wanted = {entry["id"]: entry["via_ci"] for entry in services}
    ChangeService.objects.filter(change=change).exclude(service_id__in=wanted).delete()
    existing = dict(ChangeService.objects.filter(change=change).values_list("service_id", "via_id"))
    ChangeService.objects.bulk_create([ChangeService(change=change, service_id=pk, via_id=via)
                                       for pk, via in wanted.items() if pk not in existing])
    for pk, via in wanted.items():
        if pk in existing and existing[pk] != via:
            ChangeService.objects.filter(change=change, service_id=pk).update(via_id=via)
    return services
