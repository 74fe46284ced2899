"""The monthly service review meeting of the demo history, its findings read from the real reports."""

import datetime

from slm import reports, reviews

from . import patterns

# service index: what the meeting decided and the action it agreed
REVIEWED = [
    (2, "Agreed to move the nightly invoice run one hour later to avoid the backup window.",
     "Monitor the ERP database failover weekly and report in the next review.", "agent.apps"),
    (1, "Agreed to add a second VPN gateway before the winter.",
     "Send the customer the Wi-Fi survey results for floors 2 and 3.", "agent.network"),
]


def _duration(seconds):
    if seconds is None:
        return "n/a"
    hours, rest = divmod(int(seconds), 3600)
    return f"{hours} h {rest // 60:02d} min"


def _findings(period, service):
    report = reports.compliance(period, service=service.pk)
    total = report["total"]
    availability = next(iter(reports.availability(period, services=[service.pk])["rows"]), {})
    compliance = "n/a" if total["compliance"] is None else f"{total['compliance']} %"
    return (f"SLA compliance {compliance}: {total['met']} of {total['measured']} targets met, "
            f"{total['breached']} breached. Mean time to acknowledge {_duration(total['mtta_seconds'])}, "
            f"to resolve {_duration(total['mttr_seconds'])}. Availability {availability.get('availability', 'n/a')} % "
            f"against {availability.get('target') or 'no'} target, {availability.get('outages', 0)} outage(s).")


def review_last_month(cast, now):
    """One review per reviewed service with the main customer, about the month before `now`."""
    last_month = patterns.local(now).date().replace(day=1) - datetime.timedelta(days=1)
    period = reports.month_period(last_month.year, last_month.month)
    manager = cast.users["manager"]
    created = []
    for service_index, decisions, action, owner in REVIEWED:
        service = cast.services[service_index]
        created.append(reviews.create_review(manager, {
            "service": service, "organization": cast.organizations[0], "date": patterns.local(now).date(),
            "period": period.label, "participants": "Morgan Lee (service manager), Robin Meyer (customer)",
            "findings": _findings(period, service), "decisions": decisions},
            actions=[{"description": action, "owner": cast.users[owner],
                      "due_date": patterns.local(now).date() + datetime.timedelta(days=14), "status": "open"}]))
    return created
