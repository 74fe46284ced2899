"""Factories for service level management: calendars, agreements, targets, escalation rules."""

import datetime as dt

import factory

from slm import services
from slm.models import Agreement, BusinessCalendar, EscalationRule, ServiceLevelTarget

from .factories import OrganizationFactory, ServiceFactory  # noqa: F401


def calendar(name="Office hours", timezone="Asia/Shanghai", hours=None, exceptions=None, weekdays=range(5),
             start="09:00", end="18:00"):
    """A calendar written through the service layer (so its version and cache key are right)."""
    if hours is None:
        hours = [{"weekday": d, "start": dt.time.fromisoformat(start),
                  "end": dt.time(0) if end == "24:00" else dt.time.fromisoformat(end)} for d in weekdays]
    return services.save_calendar(None, {"name": name, "timezone": timezone}, hours, exceptions or [])


def around_the_clock(name="24x7", timezone="UTC"):
    return calendar(name, timezone, weekdays=range(7), start="00:00", end="24:00")


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agreement

    kind = Agreement.Kind.SLA
    name = factory.Sequence(lambda n: f"Agreement {n}")
    organization = factory.SubFactory(OrganizationFactory)
    valid_from = dt.date(2020, 1, 1)
    status = Agreement.Status.AGREED


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceLevelTarget

    agreement = factory.SubFactory(AgreementFactory)
    name = factory.Sequence(lambda n: f"Target {n}")
    metric = ServiceLevelTarget.Metric.RESOLUTION
    ticket_kind = "incident"
    target_seconds = 4 * 3600


class EscalationRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EscalationRule

    name = factory.Sequence(lambda n: f"Escalation {n}")
    trigger = EscalationRule.Trigger.BREACH
    action = EscalationRule.Action.NOTIFY


__all__ = ["calendar", "around_the_clock", "AgreementFactory", "TargetFactory", "EscalationRuleFactory",
           "BusinessCalendar"]
