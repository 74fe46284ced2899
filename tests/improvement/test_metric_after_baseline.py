"""Changing what the baseline measured: re-captured before action, refused once action has started."""

import pytest
from django.core.exceptions import ValidationError

from core.models import AuditEntry
from improvement import services
from improvement.models import Measurement
from tests.support import improvement_factories

pytestmark = pytest.mark.django_db


def test_a_new_metric_before_action_recaptures_the_baseline_in_the_audit_trail():
    record = improvement_factories.improvement(stage="target")
    assert record.metric_name == "sla_compliance"
    record = services.update_improvement(record, record.owner, {"metric_name": "mttr"})
    assert record.metric_name == "mttr"
    assert list(Measurement.objects.filter(improvement=record).values_list("kind", flat=True)) == [
        "baseline", "baseline"]
    entries = AuditEntry.objects.filter(ticket_id=record.pk, action="updated").order_by("id")
    assert any("baseline_captured_at" in entry.changes for entry in entries)


def test_a_new_metric_after_action_started_is_refused_and_nothing_is_saved():
    record = improvement_factories.improvement(stage="action")
    with pytest.raises(ValidationError) as exc:
        services.update_improvement(record, record.owner, {"metric_name": "mttr", "vision": "Changed"})
    assert "metric_name" in exc.value.message_dict
    record.refresh_from_db()
    assert record.metric_name == "sla_compliance" and record.vision != "Changed"


def test_the_same_metric_written_again_changes_nothing():
    record = improvement_factories.improvement(stage="action")
    services.update_improvement(record, record.owner, {"metric_name": "sla_compliance"})
    assert Measurement.objects.filter(improvement=record, kind="baseline").count() == 1
