"""Improvements in any stage, written through improvement.services as a manager would."""

import datetime

from django.utils import timezone

from improvement import services
from improvement.workflow import STAGES, VISION
from slm.models import Service
from tests.support import factories

# The content each stage needs before the record moves on (see improvement.workflow.REQUIRED).
CONTENT = {
    "vision": {"vision": "Laptops fixed the same day", "objective": "Staff productivity",
               "metric_name": "sla_compliance"},
    "baseline": {"assessment_notes": "Resolution targets missed on hardware faults"},
    "target": {"target_value": 95.0},
    "plan": {"plan": "Stock spare laptops at each site", "business_case": "Less downtime",
             "estimated_cost": "12000.00", "annual_benefit": "30000.00", "effort_days": "15.0", "quarter": "2027Q1"},
    "action": {"action_notes": "Spares ordered and stocked"},
    "result": {"evaluation": "Compliance rose as planned"},
    "momentum": {"follow_ups": "Review spares every quarter"},
}


def improvement(actor=None, stage=VISION, service=None, **data):
    """An improvement moved through the stages up to `stage`, with the content each needs."""
    actor = actor or factories.manager()
    service = service or Service.objects.create(name=f"Service {Service.objects.count() + 1}")
    fields = {"title": "Same-day laptop repairs", "description": "Too many laptop repairs breach", "services": [service],
              "metric_service": service, **data}
    record = services.create_improvement(actor, fields)
    for current in STAGES[:STAGES.index(stage)]:
        content = dict(CONTENT[current])
        if current == "target":
            content["target_date"] = timezone.localdate() + datetime.timedelta(days=90)
        record = services.advance(record, actor, content)
    return record
