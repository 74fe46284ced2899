"""Changes and what they hang on: change models with authority steps, templates, blackout windows."""

from datetime import timedelta

from django.utils import timezone

from tests.support import factories


def change_model(name="Normal change", change_type="normal", steps=None, **fields):
    """A change model; `steps`: [{"authority": "user", "user": ..., "min_risk": 1, ...}] (default: one step
    any of a manager)."""
    from changes.models import AuthorityStep, ChangeModel

    model = ChangeModel.objects.create(name=name, change_type=change_type, **fields)
    for order, step in enumerate(steps if steps is not None else [{"authority": "user",
                                                                  "user": factories.manager()}], start=1):
        AuthorityStep.objects.create(model=model, order=order, **{"name": f"Step {order}", **step})
    return model


def window(days=1, hours=1, start_hour=22):
    start = (timezone.now() + timedelta(days=days)).replace(hour=start_hour, minute=0, second=0, microsecond=0)
    return start, start + timedelta(hours=hours)


def change(actor=None, **data):
    from changes import services
    from changes.models import ChangeModel

    start, end = window()
    data.setdefault("title", "Upgrade the core switch firmware")
    data.setdefault("change_type", "normal")
    data.setdefault("implementation_plan", "1. Stage image 2. Reload")
    data.setdefault("backout_plan", "Boot the previous image")
    data.setdefault("planned_start", start)
    data.setdefault("planned_end", end)
    if "model" not in data and data["change_type"] != "standard":
        data["model"] = (ChangeModel.objects.filter(change_type=data["change_type"], active=True).first()
                         or change_model(name=f"{data['change_type'].title()} change",
                                         change_type=data["change_type"]))
    return services.create_change(actor or factories.agent(), data)


def template(name="Restart the print spooler", state="published", **fields):
    from changes.models import ChangeTemplate

    fields.setdefault("implementation_plan", "Restart the spooler service")
    fields.setdefault("backout_plan", "None needed")
    fields.setdefault("risk_assessment", "Low: one print server, no data")
    fields.setdefault("duration_minutes", 15)
    return ChangeTemplate.objects.create(name=name, state=state, **fields)


def implemented(actor=None, outcome="successful", close=False, review_notes="", **data):
    """A change taken through implementation (authorised directly: the authority is not under test) to review
    with `outcome`, or closed when `close`."""
    from changes import services
    from changes.models import Change

    actor = actor or factories.agent()
    made = change(actor, **data)
    Change.objects.filter(pk=made.pk).update(state="scheduled", authorised_at=timezone.now())  # test set-up only
    made = services.transition_change(made, actor, "implement")
    made = services.transition_change(made, actor, "review", {"outcome": outcome})
    if close:
        made = services.transition_change(made, actor, "closed", {"review_notes": review_notes or "Reviewed"})
    return made


def risk_question(text="Has this been done before?", weight=1, scores=(0, 2, 4), order=100, active=True):
    """A risk question whose options score `scores` (labelled "Option <score>")."""
    from changes.models import RiskQuestion

    return RiskQuestion.objects.create(text=text, weight=weight, order=order, active=active,
                                       options=[{"label": f"Option {score}", "score": score} for score in scores])


def board(name="CAB", members=(), emergency=False, rule="n_of_m", required=2, chair=None):
    from changes.models import ChangeAdvisoryBoard

    cab = ChangeAdvisoryBoard.objects.create(name=name, emergency=emergency, rule=rule, required=required,
                                             chair=chair)
    cab.members.add(*members)
    return cab


def core_switch(services=6, critical=1, name="sw-core-01"):
    """A core switch CI that the application CIs of `services` services depend on; the first `critical` of
    them are critical (criticality 1), the rest low (4). Returns (switch, [services])."""
    from tests.support import cmdb_factories

    switch = cmdb_factories.CIFactory(name=name)
    found = []
    for index in range(services):
        service = factories.ServiceFactory(name=f"{name} service {index}",
                                           criticality=1 if index < critical else 4)
        app = cmdb_factories.CIFactory(name=f"{name}-app-{index}", service=service)
        cmdb_factories.depends_on(app, switch)
        found.append(service)
    return switch, found


# --- standard change templates and releases (templates helper) -----------------------------------------------

def change_authority(**kw):
    from core import permissions

    return factories.UserFactory(role=permissions.CHANGE_AUTHORITY, **kw)


def completed_change(template, outcome="successful", actor=None, **data):
    """A standard change raised from `template` and implemented with `outcome` (in review)."""
    from changes import services, templates

    actor = actor or factories.agent()
    change = templates.raise_standard_change(template, actor, data)
    change = services.transition_change(change, actor, "implement")
    return services.transition_change(change, actor, "review", {"outcome": outcome})


def caused_incident(change, actor=None):
    """An incident linked as caused by `change` (core TicketLink kind caused_by, incident → change)."""
    from core import services as core_services

    actor = actor or factories.agent()
    incident = factories.incident(actor=actor, title=f"Broken after {change.number}")
    core_services.add_link(incident, actor, change, "caused_by")
    return incident


def release(name="Payroll", version="2.0", cis=(), **fields):
    from changes.models import Release

    created = Release.objects.create(name=name, version=version, **fields)
    created.configuration_items.set(cis)
    return created


def blackout(name="Year-end freeze", start=None, end=None, services=()):
    """A blackout window (global when `services` is empty); default: tomorrow, all day."""
    from changes.models import BlackoutWindow

    start = start or (timezone.now() + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    window = BlackoutWindow.objects.create(name=name, start=start, end=end or start + timedelta(days=1))
    window.services.set(services)
    return window


def maintenance_window(agreement, weekday, start_time, end_time):
    """A weekly maintenance window of an agreement (times as "HH:MM")."""
    import datetime as dt

    from slm.models import MaintenanceWindow

    return MaintenanceWindow.objects.create(agreement=agreement, weekday=weekday,
                                            start_time=dt.time.fromisoformat(start_time),
                                            end_time=dt.time.fromisoformat(end_time))
