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
