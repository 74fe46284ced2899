import pytest
from django.core.exceptions import ValidationError

from core import services
from core.models import AuditEntry
from core.workflow import TransitionError
from incidents import workflow
from tests.support import factories

pytestmark = pytest.mark.django_db


def test_numbers_are_sequential_per_kind():
    a = factories.incident(title="one")
    b = factories.incident(title="two")
    assert a.number.startswith("INC") and len(a.number) == 10
    assert int(b.number[3:]) == int(a.number[3:]) + 1


def test_priority_comes_from_matrix():
    inc = factories.incident(impact=1, urgency=1)
    assert inc.priority == 1
    inc = factories.incident(impact=3, urgency=3)
    assert inc.priority == 5


def test_transition_refused_and_required_fields():
    actor = factories.agent()
    inc = factories.incident(actor=actor)
    with pytest.raises(TransitionError) as exc:
        services.transition_ticket(inc, actor, workflow.CLOSED)
    assert "to" in exc.value.errors
    with pytest.raises(TransitionError) as exc:
        services.transition_ticket(inc, actor, workflow.RESOLVED)
    assert set(exc.value.errors) == {"resolution_code", "resolution_notes"}
    inc = services.transition_ticket(inc, actor, workflow.RESOLVED,
                                     {"resolution_code": "solved_permanently", "resolution_notes": "Rebooted"})
    assert inc.state == workflow.RESOLVED and inc.resolved_at
    assert AuditEntry.objects.filter(ticket=inc, action="transitioned").exists()


def test_stale_version_conflicts():
    actor = factories.agent()
    inc = factories.incident(actor=actor)
    services.update_ticket(inc, actor, {"title": "new title"}, expected_version=1)
    with pytest.raises(services.ConflictError):
        services.update_ticket(inc, actor, {"title": "other"}, expected_version=1)


def test_audit_is_append_only():
    inc = factories.incident()
    entry = AuditEntry.objects.filter(ticket=inc).first()
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        AuditEntry.objects.filter(ticket=inc).update(action="x")


def test_assignee_must_be_in_team():
    actor = factories.agent()
    other = factories.agent()
    team = factories.TeamFactory(members=[actor])
    inc = factories.incident(actor=actor)
    with pytest.raises(ValidationError):
        services.update_ticket(inc, actor, {"team": team.pk, "assignee": other.pk})
    inc = services.update_ticket(inc, actor, {"team": team.pk, "assignee": actor.pk})
    assert inc.first_response_at is not None
    assert AuditEntry.objects.filter(ticket=inc, action="assigned").exists()


def test_the_system_may_write_work_notes():
    inc = factories.incident()
    note = services.add_comment(inc, None, "Cleared by monitoring", internal=True)
    assert note.is_internal and note.author is None
