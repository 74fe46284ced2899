"""Shared pieces of the approval tests: a recording listener for incidents and a ticket with a stage."""

import datetime as dt

import pytest
from django.utils import timezone

from core import approvals, hooks
from tests.support import factories


@pytest.fixture
def listener():
    """Records every call of the incident kind's approval listener; restores the registry afterwards."""
    calls = []
    saved = dict(hooks.approval_listeners)
    hooks.register_approval_listener(
        "incident", lambda ticket, stage, approved, actor, comment: calls.append(
            (ticket.pk, stage.pk, approved, actor.pk, comment, type(ticket).__name__)))
    yield calls
    hooks.approval_listeners.clear()
    hooks.approval_listeners.update(saved)


def today():
    return timezone.localdate()


def days(n):
    return today() + dt.timedelta(days=n)


def ticket_with_stage(approvers, rule="any", required=1, requester=None, **kw):
    agent = factories.agent()
    ticket = factories.incident(actor=agent, requester=requester or factories.requester(), **kw)
    stage = approvals.start_stage(ticket, agent, approvers, rule=rule, required=required, name="Manager")
    return ticket, stage
