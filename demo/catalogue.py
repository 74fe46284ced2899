"""The demo request catalogue: office-hours service level targets for requests and tasks, about ten items with
their forms and fulfilment plans, and requests in every state, written through the services."""

import datetime

from django.utils import timezone

from core import approvals
from core.models import Profile
from servicerequests import services as request_services
from servicerequests import workflow as flow
from servicerequests.models import (ApprovalStep, ApproverType, CatalogCategory, CatalogItem, FieldType, Icon,
                                    ItemField, RequestType, ServiceRequest, TaskTemplate)
from slm import services as slm_services
from slm.models import BusinessCalendar, ServiceLevelTarget
from slm.surveys import answer_survey

CALENDAR_NAME = "Office hours"
WORKING_DAY = 8 * 3600
# service name (None: any service) -> working days to fulfil a request
REQUEST_RESOLUTION_DAYS = {None: 3, "End-user devices": 5, "Corporate network": 1, "E-mail and calendar": 2}
TASK_RESOLUTION_DAYS = 2

CATEGORIES = [("Hardware", "Laptops, monitors and accessories."), ("Software", "Installations and licences."),
              ("Access", "Accounts, passwords, VPN and permissions."), ("People", "Joiners and movers."),
              ("Questions and feedback", "Ask us anything, or tell us how we are doing.")]


def _field(name, label, type_=FieldType.TEXT, **extra):
    return {"name": name, "label": label, "type": type_, **extra}


ITEMS = [
    {"name": "New laptop", "category": "Hardware", "service": "End-user devices", "icon": Icon.LAPTOP,
     "summary": "A standard, performance or ultralight laptop, imaged and ready to use.",
     "description": "Laptops are replaced every four years. Tell us which model fits your work; your manager "
                    "approves the request, then we image it and hand it over.",
     "fields": [_field("model", "Model", FieldType.CHOICE, required=True,
                       choices=["Standard 14\"", "Performance 16\"", "Ultralight 13\""], default="Standard 14\""),
                _field("reason", "Why do you need it?", FieldType.LONG_TEXT, required=True, min_value=10),
                _field("needed_by", "Needed by", FieldType.DATE),
                _field("accessories", "Accessories", FieldType.MULTIPLE_CHOICE,
                       choices=["Docking station", "Second monitor", "Headset"]),
                _field("return_old", "Returning an old laptop?", FieldType.CHOICE, choices=["Yes", "No"],
                       default="No"),
                _field("old_asset_tag", "Asset tag of the old laptop", pattern=r"[A-Z]{2}-\d{4,6}",
                       help_text="On the sticker under the laptop, e.g. LT-10234.", required=True,
                       shown_when_field="return_old", shown_when_value="Yes")],
     "approval": [{"approver": ApproverType.REQUESTER_MANAGER}],
     "tasks": [(1, "Prepare and image the laptop", "Service Desk"), (2, "Hand over the laptop", "Service Desk")]},
    {"name": "Monitor or accessory", "category": "Hardware", "service": "End-user devices", "icon": Icon.BOX,
     "summary": "A monitor, keyboard, mouse or headset from stock.", "needs_approval": False,
     "fields": [_field("accessory", "What do you need?", FieldType.CHOICE, required=True,
                       choices=["Monitor 24\"", "Keyboard", "Mouse", "Headset"]),
                _field("quantity", "Quantity", FieldType.NUMBER, required=True, min_value=1, max_value=4,
                       default="1")],
     "tasks": [(1, "Hand out from stock", "Service Desk")]},
    {"name": "Software installation", "category": "Software", "service": "End-user devices", "icon": Icon.SOFTWARE,
     "summary": "Licensed software installed on your device.",
     "fields": [_field("software", "Software", FieldType.CHOICE, required=True,
                       choices=["Visio", "Adobe Acrobat Pro", "Tableau Desktop", "Other"]),
                _field("other_software", "Which software?", required=True, shown_when_field="software",
                       shown_when_value="Other"),
                _field("device", "On which device?", FieldType.CONFIGURATION_ITEM),
                _field("justification", "Business justification", FieldType.LONG_TEXT, required=True)],
     "approval": [{"approver": ApproverType.REQUESTER_MANAGER}],
     "tasks": [(1, "Assign a licence and install", "Applications")]},
    {"name": "VPN access", "category": "Access", "service": "Corporate network", "icon": Icon.NETWORK,
     "request_type": RequestType.ACCESS, "summary": "Work from home or on the road over the company VPN.",
     "fields": [_field("reason", "What do you need to reach from outside?", FieldType.LONG_TEXT, required=True),
                _field("until", "Access needed until", FieldType.DATE),
                _field("token", "Hardware MFA token", FieldType.CHOICE, choices=["Not needed", "Needed"],
                       default="Not needed")],
     "approval": [{"approver": ApproverType.REQUESTER_MANAGER},
                  {"approver": ApproverType.GROUP, "group": "Network", "rule": "any"}],
     "tasks": [(1, "Create the VPN profile and send the set-up guide", "Network")]},
    {"name": "Password reset", "category": "Access", "service": "Corporate network", "icon": Icon.KEY,
     "request_type": RequestType.SERVICE_ACTION, "summary": "Locked out? We reset it after a call back.",
     "needs_approval": False,
     "fields": [_field("account", "Which account?", FieldType.CHOICE, required=True,
                       choices=["Windows and e-mail", "ERP"]),
                _field("phone", "Phone number for the call back", required=True, pattern=r"\+?[0-9 ()-]{6,20}",
                       help_text="We call you to confirm who you are before resetting.")],
     "tasks": [(1, "Verify identity by call back and reset", "Service Desk")]},
    {"name": "Shared mailbox access", "category": "Access", "service": "E-mail and calendar", "icon": Icon.LOCK,
     "request_type": RequestType.ACCESS, "summary": "Read or send-as rights on a team mailbox.",
     "fields": [_field("mailbox", "Mailbox address", required=True, pattern=r"[^@\s]+@[^@\s]+"),
                _field("rights", "Rights", FieldType.MULTIPLE_CHOICE, required=True,
                       choices=["Read", "Send as", "Send on behalf"])],
     "approval": [{"approver": ApproverType.SERVICE_OWNER}],
     "tasks": [(1, "Grant mailbox rights", "Applications")]},
    {"name": "ERP role", "category": "Access", "service": "ERP", "icon": Icon.LOCK,
     "request_type": RequestType.ACCESS, "summary": "A role in the ERP: orders, stock, invoicing or payroll.",
     "fields": [_field("role", "Role", FieldType.CHOICE, required=True,
                       choices=["Orders clerk", "Stock keeper", "Accounts payable", "Payroll viewer"]),
                _field("colleague", "Same rights as (optional)", FieldType.USER)],
     "approval": [{"approver": ApproverType.REQUESTER_MANAGER},
                  {"approver": ApproverType.GROUP, "group": "Applications", "rule": "all"}],
     "tasks": [(1, "Grant the ERP role", "Applications")]},
    {"name": "New starter", "category": "People", "service": "End-user devices", "icon": Icon.PERSON,
     "summary": "Accounts, a laptop and network access for someone joining.",
     "fields": [_field("full_name", "Full name", required=True),
                _field("start_date", "Start date", FieldType.DATE, required=True),
                _field("department", "Department", FieldType.CHOICE, required=True,
                       choices=["Finance", "Sales", "Operations", "Clinical", "IT"]),
                _field("line_manager", "Line manager", FieldType.USER, required=True),
                _field("laptop", "Laptop", FieldType.CHOICE, choices=["Standard 14\"", "None"],
                       default="Standard 14\"")],
     "approval": [{"approver": ApproverType.REQUESTER_MANAGER}],
     "tasks": [(1, "Create accounts and mailbox", "Applications"), (1, "Prepare the laptop", "Service Desk"),
               (1, "Set up network and VPN access", "Network"), (2, "First-day welcome and check-in",
                                                                 "Service Desk")]},
    {"name": "Ask a question", "category": "Questions and feedback", "service": "End-user devices",
     "icon": Icon.INFO, "request_type": RequestType.INFORMATION, "needs_approval": False,
     "summary": "How do I…? Where is…? Ask the service desk.",
     "fields": [_field("question", "Your question", FieldType.LONG_TEXT, required=True)]},
    {"name": "Compliment or complaint", "category": "Questions and feedback", "service": "End-user devices",
     "icon": Icon.CHAT, "request_type": RequestType.FEEDBACK, "needs_approval": False,
     "summary": "Tell the service owner what went well or what did not.",
     "fields": [_field("kind", "This is", FieldType.CHOICE, required=True,
                       choices=["Compliment", "Suggestion", "Complaint"]),
                _field("details", "Tell us more", FieldType.LONG_TEXT, required=True)]},
]


def calendar():
    found = BusinessCalendar.objects.filter(name=CALENDAR_NAME).first()
    if found:
        return found
    hours = [{"weekday": day, "start": datetime.time(9), "end": datetime.time(17)} for day in range(5)]
    return slm_services.save_calendar(None, {"name": CALENDAR_NAME, "timezone": "Europe/London",
                                             "description": "Monday to Friday, 09:00-17:00 UK time."}, hours=hours)


def request_targets(agreement, services):
    """Resolution targets (office hours) for requests per service and for tasks, on a draft agreement."""
    office = calendar()
    by_name = {service.name: service for service in services}
    for service_name, days in REQUEST_RESOLUTION_DAYS.items():
        slm_services.save_target(None, {
            "agreement": agreement, "ticket_kind": "request", "metric": ServiceLevelTarget.Metric.RESOLUTION,
            "name": f"Request fulfilment{' (' + service_name + ')' if service_name else ''}",
            "service": by_name.get(service_name), "calendar": office, "target_seconds": days * WORKING_DAY})
    slm_services.save_target(None, {
        "agreement": agreement, "ticket_kind": "task", "metric": ServiceLevelTarget.Metric.RESOLUTION,
        "name": "Fulfilment task", "calendar": office, "target_seconds": TASK_RESOLUTION_DAYS * WORKING_DAY})


def items(teams, users):
    """The catalogue (once); returns {name: item}."""
    if CatalogItem.objects.exists():
        return {item.name: item for item in CatalogItem.objects.all()}
    categories = {}
    for order, (name, description) in enumerate(CATEGORIES):
        categories[name], _ = CatalogCategory.objects.get_or_create(
            name=name, defaults={"description": description, "order": order * 10})
    from slm.models import Service

    services = {service.name: service for service in Service.objects.all()}
    result = {}
    for order, spec in enumerate(ITEMS):
        item = CatalogItem.objects.create(
            name=spec["name"], summary=spec["summary"], description=spec.get("description", ""),
            category=categories[spec["category"]], service=services[spec["service"]], icon=spec["icon"],
            request_type=spec.get("request_type", RequestType.PROVISION), team=teams["Service Desk"],
            needs_approval=spec.get("needs_approval", True), order=order * 10)
        for position, field in enumerate(spec["fields"]):
            ItemField.objects.create(item=item, order=position * 10, **field)
        for position, step in enumerate(spec.get("approval", []), start=1):
            ApprovalStep.objects.create(item=item, order=position, approver=step["approver"],
                                        group=teams.get(step.get("group")), rule=step.get("rule", "any"))
        for stage, title, team in spec.get("tasks", []):
            TaskTemplate.objects.create(item=item, stage=stage, title=title, team=teams[team],
                                        instructions=f"Fulfil “{spec['name']}”: {title.lower()}.")
        result[item.name] = item
    return result


def managers(users):
    """Every requester's manager is the demo manager, who approves their requests from My work."""
    Profile.objects.filter(user__groups__name="requester", manager__isnull=True).update(manager=users["manager"])


# (item, requester, answers, how far it goes)
REQUESTS = [
    ("New laptop", "requester", {"model": "Performance 16\"", "reason": "Video editing for the marketing team.",
                                 "return_old": "Yes", "old_asset_tag": "LT-10234"}, "awaiting_approval"),
    ("VPN access", "requester.northwind", {"reason": "Stock reports from the warehouse at night."}, "approved_once"),
    ("Software installation", "j.fischer", {"software": "Visio", "justification": "Network diagrams."},
     "in_fulfilment"),
    ("New starter", "l.moreau", {"full_name": "Hana Kim", "start_date": None, "department": "Finance",
                                 "line_manager": "l.moreau"}, "first_stage_done"),
    ("Password reset", "k.osei", {"account": "ERP", "phone": "+44 20 7946 0123"}, "on_hold"),
    ("Monitor or accessory", "requester", {"accessory": "Monitor 24\"", "quantity": 2}, "fulfilled"),
    ("Ask a question", "requester.hospital", {"question": "How do I share my calendar with a colleague?"},
     "fulfilled_rated"),
    ("Monitor or accessory", "m.rossi", {"accessory": "Headset", "quantity": 1}, "closed"),
    ("Shared mailbox access", "t.berg", {"mailbox": "ceo@example.com", "rights": ["Send as"]}, "rejected"),
    ("ERP role", "a.haddad", {"role": "Payroll viewer"}, "cancelled"),
    ("Compliment or complaint", "e.walsh", {"kind": "Compliment", "details": "Quick laptop swap, thank you!"},
     "in_fulfilment"),
]


def _complete_tasks(request, agent, stage=None):
    from servicerequests.task_services import transition_task

    while True:  # the plan opens the next stage's tasks when a stage is done
        tasks = [task for task in request.tasks.filter(state__in=[flow.OPEN, flow.IN_PROGRESS]).order_by("id")
                 if stage is None or task.stage == stage]
        if not tasks:
            return
        for task in tasks:
            transition_task(task, agent, flow.DONE, {"resolution_notes": "Done as asked."})


def _approve_all(request):
    """Approve every stage in turn (a decided stage opens the next)."""
    while True:
        approval = request.approvals.filter(state="pending").select_related("approver").first()
        if approval is None:
            return
        approvals.decide(approval, approval.approver, True, "Approved.")


def seed_requests(users):
    """Requests in every state (once), made over the last days on the simulated clock (one a day, each step a
    few hours after the last); returns how many were created."""
    if ServiceRequest.objects.exists():
        return 0
    from demo.clock import SimulatedClock

    today = timezone.now().replace(hour=9, minute=0, second=0, microsecond=0)
    first = today - datetime.timedelta(days=len(REQUESTS) + 1)
    with SimulatedClock(first) as clock:
        for index, spec in enumerate(REQUESTS):  # one a day, in the morning, each at a different hour
            clock.advance_to(max(clock.now, first + datetime.timedelta(days=index, hours=index % 5, minutes=20)))
            _one_request(users, clock, *spec)
        deliver_mail()
    return len(REQUESTS)


def deliver_mail():
    """The requests' notices, sent to a dummy backend as the history sends its own (demo addresses)."""
    from django.core.mail import get_connection

    from core.tasks import deliver_pending

    mail = get_connection("django.core.mail.backends.dummy.EmailBackend")
    while deliver_pending(batch_size=500, connection=mail)[2] == 500:
        pass


def _one_request(users, clock, name, username, answers, stage):
    agent = users["agent"]

    def later(hours=3):
        clock.advance_to(clock.now + datetime.timedelta(hours=hours))

    item = CatalogItem.objects.get(name=name)
    requester = users[username]
    answers = dict(answers)
    if "start_date" in answers:
        answers["start_date"] = (timezone.localdate() + datetime.timedelta(days=14)).isoformat()
    if "line_manager" in answers:
        answers["line_manager"] = requester.pk
    request = request_services.create_request(requester, {"catalog_item": item, "variables": answers})
    later()
    if stage == "awaiting_approval":
        return
    if stage == "rejected":
        approval = request.approvals.filter(state="pending").select_related("approver").first()
        approvals.decide(approval, approval.approver, False, "Send-as on the CEO's mailbox needs the CEO's "
                                                             "written consent first.")
        return
    if stage == "cancelled":
        request_services.transition_request(request, requester, flow.CANCELLED,
                                            {"cancel_reason": "No longer needed: I moved to another team."})
        return
    if stage == "approved_once":
        approval = request.approvals.filter(state="pending").select_related("approver").first()
        approvals.decide(approval, approval.approver, True, "Fine for the night shift.")
        return
    _approve_all(request)
    later(5)
    request.refresh_from_db()
    if stage == "first_stage_done":
        _complete_tasks(request, agent, stage=1)
    elif stage == "on_hold":
        request_services.transition_request(request, agent, flow.ON_HOLD,
                                        {"on_hold_reason": "Waiting for the requester to pick up the call."})
    elif stage.startswith("fulfilled") or stage == "closed":
        _complete_tasks(request, agent)
        later()
        request.refresh_from_db()
        if request.state == flow.IN_FULFILMENT:  # no tasks: an agent answers and fulfils it
            request_services.transition_request(request, agent, flow.FULFILLED, {
                "resolution_notes": "Open Outlook, right-click the calendar, Share, and add your colleague."})
        if stage == "fulfilled_rated":
            from slm.models import SatisfactionSurvey

            survey = SatisfactionSurvey.objects.filter(ticket=request).first()
            later(2)
            if survey:
                answer_survey(survey, requester, 5, "Clear answer, thanks.")
        later(6)
        if stage == "closed":
            request_services.transition_request(ServiceRequest.objects.get(pk=request.pk), requester, flow.CLOSED)
