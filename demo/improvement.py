"""The demo continual improvement register: quarter budgets, improvements in every stage (two closed, one of them
withdrawn), each with the content its stages need, tasks, links to a problem and a change, a rank a manager
set by hand, weekly measurements of the records taking action, one improvement turned from a service review
action and one from a problem, and the proposals the feeds make from the history. Written through the services
on the simulated clock, so baselines and results are measured from the demo history itself."""

import datetime

from django.utils import timezone

from changes.models import Change
from core import services as core_services
from core.models import LinkKind
from demo.clock import SimulatedClock
from improvement import feeds, services
from improvement.models import Improvement
from improvement.workflow import STAGES
from incidents.models import Category
from problems.models import Problem
from slm.models import Service, ServiceReviewAction

# title, service, metric (name, timer, category), stage reached, day created (before today), source, content
RECORDS = [
    ("Same-day laptop repairs", "End-user devices", ("mttr", "", None), "result", 75, "breach_trend", {
        "vision": "A broken laptop is repaired or swapped on the day it is reported.",
        "objective": "Staff productivity: nobody loses a working day to a broken device.",
        "swot_strengths": "Spares contract with the vendor", "swot_weaknesses": "No spares kept on site",
        "swot_opportunities": "Pre-imaged swap laptops", "swot_threats": "Vendor lead times of 3 days",
        "target": 8 * 3600.0, "plan": "Keep 10 pre-imaged spare laptops at head office; swap first, repair later.",
        "business_case": "Each lost day costs about 400 in lost work; 12 a month.", "cost": "9000.00",
        "benefit": "57600.00", "days": "12.0", "tasks": ["Buy 10 spare laptops", "Build the swap image",
                                                         "Write the swap procedure"],
        "evaluation": "Not there yet: the swap laptops arrived late, so repair times have not come down.",
        "follow_ups": "Review the spares stock every quarter; extend to phones.",
        "ratings": (5, 2, 2, 1, 4, 5)}),
    ("Second VPN gateway", "Corporate network", ("availability", "", None), "closed", 70, "service_review", {
        "vision": "Remote staff never lose the VPN.", "objective": "Business continuity for remote work.",
        "scorecard_customer": "Two VPN outages this year; complaints from field sales.",
        "target": 99.9, "plan": "Install a second gateway in active/standby.",
        "business_case": "One outage stops 300 remote users for hours.", "cost": "15000.00",
        "benefit": "40000.00", "days": "8.0", "tasks": ["Order the gateway", "Configure failover"],
        "evaluation": "No VPN outage since the standby gateway went live.",
        "follow_ups": "Test the failover twice a year.", "ratings": (4, 4, 3, 2, 3, 5)}),
    ("ERP invoice run outside the backup window", "ERP", ("sla_compliance", "resolution", None), "action", 60,
     "service_review", {
         "vision": "Invoices are never late because of the nightly run.", "objective": "Cash flow: invoices on time.",
         "assessment_notes": "Three late invoice runs last quarter collided with the backup.",
         "target": 95.0, "plan": "Move the invoice run one hour later and watch the database failover.",
         "business_case": "Late invoices delay payments by a day.", "cost": "500.00", "benefit": "5000.00",
         "days": "2.0", "tasks": ["Reschedule the job", "Add a failover check"], "open_task": True,
         "ratings": (3, 1, 1, 2, 3, 4)}),
    ("Password self-service", "End-user devices", ("incident_volume", "", "Access"), "momentum", 45, "staff_idea", {
        "vision": "Nobody calls the desk to reset a password.", "objective": "Free the desk for real faults.",
        "swot_weaknesses": "A third of the desk's calls are password resets.",
        "target": 20.0, "plan": "Roll out self-service password reset with MFA enrolment.",
        "business_case": "400 calls a quarter at 10 minutes each.", "cost": "6000.00", "benefit": "12000.00",
        "days": "20.0", "tasks": ["Enrol users in MFA", "Publish the self-service page"],
        "evaluation": "Password calls fell once the self-service page was published.",
        "follow_ups": "Remind new starters to enrol in MFA in their first week.", "ratings": (4, 3, 4, 2, 4, 4)}),
    ("Plain-language mail migration guide", "E-mail and calendar", ("csat", "", None), "plan", 30, "survey", {
        "vision": "People understand mail changes before they happen.", "objective": "Customer satisfaction.",
        "assessment_notes": "Low survey scores after the last mailbox move.", "target": 4.5,
        "plan": "Write a one-page guide and send it a week ahead.", "business_case": "Fewer confused calls.",
        "cost": "300.00", "benefit": "2000.00", "days": "3.0", "ratings": (3, 1, 1, 1, 2, 3)}),
    ("Wi-Fi coverage on floors 2 and 3", "Corporate network", ("incident_volume", "", "Network"), "target", 20,
     "audit", {"vision": "Wi-Fi works at every desk.", "objective": "Office productivity.",
               "swot_threats": "New open-plan layout adds 80 desks.", "target": 5.0, "ratings": (3, 3, 3, 2, 2, 3)}),
    ("Faster first response for ERP", "ERP", ("mtta", "", None), "baseline", 12, "swot_review", {
        "vision": "Every ERP call is acknowledged within 15 minutes.", "objective": "Finance close on time.",
        "ratings": (3, 2, 2, 1, 3, 3)}),
    ("Chat channel for the service desk", "End-user devices", ("csat", "", None), "vision", 5, "staff_idea", {
        "vision": "", "ratings": (3, 3, 3, 3, 2, 2)}),
    ("Replace the desk phone system", "Corporate network", ("mtta", "", None), "closed-withdrawn", 40,
     "staff_idea", {"vision": "Calls routed to the right team.", "objective": "Faster answers.",
                    "withdrawn": "Superseded by the company-wide telephony project.", "ratings": (2, 5, 5, 3, 2, 2)}),
]


_real = {}  # the real now, read before the simulated clock starts (timezone.now() follows the clock)


def _day(offset, hour=10):
    """`hour` o'clock `offset` days before the real today, never later than the real now."""
    now = _real["now"]
    return min(now, (now - datetime.timedelta(days=offset)).replace(hour=hour, minute=0, second=0, microsecond=0))


def _content(stage, spec, owner):
    today = timezone.localdate()  # the simulated day the step is taken
    content = {
        "vision": {"vision": spec.get("vision") or "A clearer picture.", "objective": spec.get("objective", "")},
        "baseline": {name: spec[name] for name in spec if name.startswith(("swot_", "scorecard_", "assessment_"))},
        "target": {"target_value": spec.get("target"), "target_date": today + datetime.timedelta(days=60)},
        "plan": {"plan": spec.get("plan", ""), "business_case": spec.get("business_case", ""),
                 "estimated_cost": spec.get("cost"), "annual_benefit": spec.get("benefit"),
                 "effort_days": spec.get("days"), "quarter": services.quarter_of(today)},
        "action": {},
        "result": {"evaluation": spec.get("evaluation", "")},
        "momentum": {"follow_ups": spec.get("follow_ups", ""), "lessons": "Measure before and after, every time."},
    }[stage]
    if stage == "baseline" and not content:
        content["assessment_notes"] = "Reviewed the last quarter's figures with the team."
    return content


def _steps(records, title, spec, created_day, last_stage, users):
    """(day offset, callable) steps walking one record to its stage, each a few days after the previous."""
    manager = users["manager"]
    stages = list(STAGES[:STAGES.index(last_stage)]) if last_stage in STAGES else list(STAGES[:2])
    steps, day = [], created_day
    gap = max(1, created_day // (len(stages) + 2))
    for stage in stages:
        day -= gap
        if stage == "action":
            def act(spec=spec):
                for task_title in spec.get("tasks", []):
                    task = services.save_task(_fresh(records[title]), manager, {"title": task_title})
                    if not (spec.get("open_task") and task_title == spec["tasks"][-1]):
                        services.save_task(_fresh(records[title]), manager, {"done": True}, task=task)
                services.advance(_fresh(records[title]), manager, {"action_notes": "Done as planned."})
            steps.append((day, act))
            continue
        steps.append((day, lambda stage=stage: services.advance(
            _fresh(records[title]), manager, _content(stage, spec, manager))))
    if last_stage in ("baseline", "target", "plan", "result", "momentum"):  # work on the current step begun
        steps.append((day - 1, lambda: services.update_improvement(
            _fresh(records[title]), manager, _content(last_stage, spec, manager))))
    if "plan" in stages:
        started = created_day - gap * (stages.index("plan") + 1)
        for weekly in range(started - 7, 0, -7):
            steps.append((weekly, lambda: _measure(records[title], manager)))
    if last_stage == "closed-withdrawn":
        steps.append((day - 1, lambda: services.transition_improvement(
            _fresh(records[title]), manager, "closed", {"withdrawn_reason": spec["withdrawn"]})))
    return steps


def _fresh(record):
    return Improvement.objects.get(pk=record.pk)


def _measure(record, actor):
    record = _fresh(record)
    if record.state in ("action", "result", "momentum"):
        services.measure_now(record, actor)


def _create(title, service, metric, source, spec, users):
    name, timer, category = metric
    benefit, cost, effort, risk, urgency, alignment = spec["ratings"]
    data = {"title": title, "description": spec.get("vision") or title, "source": source, "services": [service],
            "practices": ["incident", "service_level"], "owner": users["manager"], "team": None,
            "metric_name": name, "metric_timer": timer, "metric_service": service,
            "metric_category": Category.objects.filter(name=category, parent=None).first() if category else None,
            "benefit": benefit, "cost": cost, "effort": effort, "risk": risk, "urgency_rating": urgency,
            "alignment": alignment, "vision": spec.get("vision", ""), "objective": spec.get("objective", "")}
    if data["metric_category"] is not None:
        data["metric_service"] = None
    return services.create_improvement(users["manager"], data)


def seed(users):
    """The register (once); returns how many improvements it holds."""
    if Improvement.objects.exists():
        return 0
    manager = users["manager"]
    _real["now"] = timezone.localtime()
    quarter = services.quarter_of(timezone.localdate())
    services.save_budget(manager, {"quarter": quarter, "budget": "40000.00", "capacity_days": "60.0",
                                   "notes": "Agreed at the quarterly service review."})
    earlier = services.quarter_of(timezone.localdate() - datetime.timedelta(days=92))
    services.save_budget(manager, {"quarter": earlier, "budget": "25000.00", "capacity_days": "40.0"})
    records, steps = {}, []
    for title, service_name, metric, stage, created_day, source, spec in RECORDS:
        def create(title=title, service_name=service_name, metric=metric, source=source, spec=spec):
            records[title] = _create(title, Service.objects.get(name=service_name), metric, source, spec, users)
        steps.append((created_day + 0.5, create))
        steps += _steps(records, title, spec, created_day, stage, users)
    with SimulatedClock(_day(80)) as clock:
        for day, step in sorted(steps, key=lambda s: -s[0]):
            clock.advance_to(max(clock.now, _day(day, 11)))
            step()
        clock.advance_to(max(clock.now, _real["now"] - datetime.timedelta(minutes=1)))
        _links(records, manager)
        services.set_rank(_fresh(records["Plain-language mail migration guide"]), manager, 1,
                          "The mail migration starts next month: the guide must be ready first.")
        _conversions(manager)
        feeds.run_feeds()
    return Improvement.objects.count()


def _links(records, actor):
    """The record taking action links the problem and the change doing the work."""
    password = records["ERP invoice run outside the backup window"]
    change = Change.objects.order_by("-id").first()
    problem = Problem.objects.order_by("id").first()
    for target in (change, problem):
        if target is not None:
            core_services.add_link(password, actor, target, LinkKind.RELATED)


def _conversions(actor):
    """A service review action and a problem turned into improvements (left at the first step)."""
    action = ServiceReviewAction.objects.order_by("id").first()
    if action is not None:
        feeds.from_review_action(action, actor)
    problem = Problem.objects.exclude(state__in=["closed", "cancelled"]).order_by("-id").first()
    if problem is not None:
        feeds.from_problem(problem, actor)
