"""The demo change enablement: a risk questionnaire, a CAB and an emergency CAB, normal and emergency change
models, standard change templates in every state, a blackout window, the agreement's maintenance windows, a
release, two CAB meetings and changes in every state (one pair in conflict), written through the services on the
simulated clock."""

import datetime

from django.utils import timezone

from changes import cab, releases, services, templates
from changes import workflow as flow
from changes.models import (AuthorityStep, BlackoutWindow, Change, ChangeAdvisoryBoard, ChangeModel, RiskQuestion)
from cmdb.models import ConfigurationItem
from core import approvals
from core import services as core_services
from core.models import LinkKind
from demo.catalogue import deliver_mail
from slm.models import Agreement, MaintenanceWindow, Service

QUESTIONS = [
    ("Has this change been done successfully before?", 3, [("Yes, often", 0), ("Once or twice", 2), ("Never", 4)]),
    ("Can it be backed out within the window?", 3, [("Yes, quickly", 0), ("With effort", 2), ("No", 4)]),
    ("Was it tested in a non-production environment?", 2, [("Yes, fully", 0), ("Partly", 2), ("No", 4)]),
    ("Does it need downtime for users?", 2, [("No", 0), ("Out of hours", 1), ("During business hours", 4)]),
]


def reference(users, teams):
    """Questions, boards, models, templates, blackout and maintenance windows (once)."""
    if ChangeModel.objects.exists():
        return
    for order, (text, weight, options) in enumerate(QUESTIONS, start=1):
        RiskQuestion.objects.create(text=text, weight=weight, order=order,
                                    options=[{"label": label, "score": score} for label, score in options])
    board = ChangeAdvisoryBoard.objects.create(name="Change Advisory Board", chair=users["manager"],
                                               rule="n_of_m", required=2)
    board.members.set([users["manager"], users["admin"], users["agent.network"]])
    ecab = ChangeAdvisoryBoard.objects.create(name="Emergency CAB", emergency=True, chair=users["manager"],
                                              rule="any", required=1)
    ecab.members.set([users["manager"], users["agent.network"]])
    normal = ChangeModel.objects.create(
        name="Normal change", change_type="normal", lead_time_days=1,
        description="Low risk: a peer in the implementing team. Medium: the team's manager. High: the CAB.")
    AuthorityStep.objects.create(model=normal, order=1, name="Peer review", min_risk=1, max_risk=1,
                                 authority="peer")
    AuthorityStep.objects.create(model=normal, order=2, name="Team manager", min_risk=2, max_risk=3,
                                 authority="team_manager")
    AuthorityStep.objects.create(model=normal, order=3, name="Change Advisory Board", min_risk=3, max_risk=3,
                                 authority="board", board=board, rule="n_of_m", required=2)
    emergency = ChangeModel.objects.create(
        name="Emergency change", change_type="emergency", requires_review=True,
        description="The emergency CAB authorises at once; a post-implementation review always follows.")
    AuthorityStep.objects.create(model=emergency, order=1, name="Emergency CAB", authority="board", board=ecab,
                                 rule="any", required=1)
    _templates(users, teams)
    _windows()


def _cis(*names):
    return list(ConfigurationItem.objects.filter(name__in=names))


def _templates(users, teams):
    manager = users["manager"]
    spooler = templates.save_template(manager, {
        "name": "Restart the print spooler", "team": teams["Service Desk"],
        "description": "Clears stuck print queues on a printer's print server.",
        "implementation_plan": "1. Tell the floor. 2. Restart the Print Spooler service. 3. Print a test page.",
        "backout_plan": "None needed: the queue is rebuilt on restart.", "test_plan": "A test page prints.",
        "risk_level": 1, "risk_assessment": "Low: one printer, no data at risk, two minutes.",
        "duration_minutes": 15, "configuration_items": _cis("prn-hq-floor3", "prn-shop-12")})
    vlan = templates.save_template(manager, {
        "name": "Add a VLAN to an access switch", "team": teams["Network"],
        "service": Service.objects.get(name="Corporate network"),
        "description": "A new tagged VLAN on access ports, from the approved VLAN plan.",
        "implementation_plan": "1. Create the VLAN. 2. Tag the listed ports. 3. Save the configuration.",
        "backout_plan": "Remove the VLAN and restore the saved configuration.",
        "test_plan": "A client on each port gets an address in the new subnet.",
        "risk_level": 1, "risk_assessment": "Low: access layer only, no uplinks touched.", "duration_minutes": 30})
    certificate = templates.save_template(manager, {
        "name": "Renew the mail server's TLS certificate", "team": teams["Applications"],
        "implementation_plan": "Import the new certificate, bind it to SMTP and IMAP, restart transport.",
        "backout_plan": "Bind the previous certificate again.", "risk_level": 2,
        "risk_assessment": "Medium: mail clients reconnect; done out of hours.", "duration_minutes": 45,
        "configuration_items": _cis("mail-exch-01")})
    templates.save_template(manager, {
        "name": "Monthly ERP application server patch", "team": teams["Applications"],
        "implementation_plan": "Apply the vendor's cumulative update in the maintenance window.",
        "backout_plan": "Restore the VM snapshot taken before patching.", "risk_level": 2,
        "risk_assessment": "Proposed: waiting for three clean runs as normal changes.", "duration_minutes": 120,
        "configuration_items": _cis("erp-app-01")})
    old = templates.save_template(manager, {
        "name": "Reboot the Wi-Fi controller", "team": teams["Network"],
        "implementation_plan": "Reboot from the console.", "backout_plan": "None.", "risk_level": 1,
        "risk_assessment": "Low, when it was one controller.", "configuration_items": _cis("wifi-ctrl-01")})
    review = timezone.localdate() + datetime.timedelta(days=365)
    for template in (spooler, vlan, certificate, old):
        templates.authorise(template, manager, review)
    for template in (spooler, vlan, old):
        templates.publish(template, manager)
    templates.retire(old, manager, "Replaced by the controller cluster: reboots are now normal changes.")
    _offer_in_portal(spooler, manager)


def _offer_in_portal(template, manager):
    """Requesters order the spooler restart from the portal; fulfilling the order raises the standard change."""
    from servicerequests.models import CatalogCategory, CatalogItem, Icon, RequestType

    item = CatalogItem.objects.create(
        name="Restart a stuck print queue", category=CatalogCategory.objects.get(name="Hardware"),
        service=Service.objects.get(name="End-user devices"), icon=Icon.BOX, needs_approval=False,
        request_type=RequestType.SERVICE_ACTION, team=template.team,
        summary="Jobs stuck in the queue? We restart the print spooler for you (a standard change).")
    templates.save_template(manager, {"catalog_item": item}, template=template)


def _windows():
    today = timezone.localdate()
    year_end = datetime.date(today.year, 12, 20) if today.month < 12 or today.day < 20 else today
    tz = timezone.get_current_timezone()
    erp = BlackoutWindow.objects.create(
        name="ERP year-end close", reason="Finance closes the books: no change may touch the ERP.",
        start=datetime.datetime.combine(year_end, datetime.time(0, 0), tz),
        end=datetime.datetime.combine(year_end + datetime.timedelta(days=15), datetime.time(0, 0), tz))
    erp.services.set([Service.objects.get(name="ERP")])
    saturday = today + datetime.timedelta(days=(5 - today.weekday()) % 7 + 7)
    BlackoutWindow.objects.create(
        name="Data centre power maintenance", reason="The landlord tests the generators: everything is at risk.",
        start=datetime.datetime.combine(saturday, datetime.time(6, 0), tz),
        end=datetime.datetime.combine(saturday, datetime.time(18, 0), tz))
    for agreement in Agreement.objects.all():
        MaintenanceWindow.objects.create(agreement=agreement, weekday=6, start_time=datetime.time(2, 0),
                                         end_time=datetime.time(6, 0))
        MaintenanceWindow.objects.create(agreement=agreement, weekday=2, start_time=datetime.time(22, 0),
                                         end_time=datetime.time(0, 0))


def _approve_all(change):
    """Every approver of every stage approves, stage after stage (a decided stage opens the next)."""
    while True:
        approval = change.approvals.filter(state="pending").select_related("approver").first()
        if approval is None:
            return
        approvals.decide(approval, approval.approver, True, "Approved: plans and back-out are clear.")


_today = {}


def _at(day_offset, hour):
    """`hour` o'clock `day_offset` days from the real today (the simulated clock moves, this does not)."""
    base = _today.get("now") or timezone.now()
    base = base.replace(minute=0, second=0, microsecond=0)
    return (base + datetime.timedelta(days=day_offset)).replace(hour=hour)


def _raise(users, spec):
    data = {"title": spec["title"], "description": spec.get("description", ""), "change_type": spec.get("type",
            "normal"), "reason": spec.get("reason", ""), "impact": spec.get("impact", 2),
            "urgency": spec.get("urgency", 2), "team": spec["team"], "assignee": users[spec["assignee"]],
            "implementation_plan": spec.get("plan", "Follow the vendor's procedure, step by step."),
            "backout_plan": spec.get("backout", "Restore the saved configuration."),
            "test_plan": spec.get("test", "Check the service from a client."),
            "configuration_items": _cis(*spec.get("cis", ())), "risk_answers": spec.get("answers", {})}
    if spec.get("window"):
        start_day, start_hour, hours = spec["window"]
        data["planned_start"] = _at(start_day, start_hour)
        data["planned_end"] = data["planned_start"] + datetime.timedelta(hours=hours)
    return services.create_change(users[spec["assignee"]], data)


def _answers(*option_indexes):
    ids = list(RiskQuestion.objects.order_by("order").values_list("pk", flat=True))
    return {str(pk): index for pk, index in zip(ids, option_indexes)}


def _move(change, actor, to, data=None):
    return services.transition_change(Change.objects.get(pk=change.pk), actor, to, data or {})


def _implement(change, actor, outcome, notes, review=""):
    change = _move(change, actor, flow.IMPLEMENT)
    change = _move(change, actor, flow.REVIEW, {"outcome": outcome, "outcome_notes": notes})
    if review is not None:
        change = _move(change, actor, flow.CLOSED, {"review_notes": review} if review else {})
    return change


def seed(users, teams):
    """Changes in every state over the last weeks (once); returns how many were raised."""
    if Change.objects.exists():
        return 0
    from demo.clock import SimulatedClock

    network, apps, desk = teams["Network"], teams["Applications"], teams["Service Desk"]
    manager, nora, sam, alex = users["manager"], users["agent.network"], users["agent.apps"], users["agent"]
    _today["now"] = timezone.now()
    start = _today["now"] - datetime.timedelta(days=21)
    raised = []
    with SimulatedClock(start.replace(hour=9, minute=0, second=0, microsecond=0)) as clock:
        def later(hours):
            clock.advance_to(clock.now + datetime.timedelta(hours=hours))

        # Three weeks ago: a mail upgrade through the team manager, implemented, reviewed and released.
        mail = _raise(users, {"title": "Upgrade the mail server to CU14", "team": apps, "assignee": "agent.apps",
                              "cis": ["mail-exch-01"], "window": (-18, 22, 3), "answers": _answers(1, 0, 0, 1),
                              "reason": "CU12 leaves support at the end of the month."})
        raised.append(mail)
        _move(mail, sam, flow.ASSESS)
        later(2)
        _move(mail, sam, flow.AUTHORIZE)
        later(3)
        _approve_all(mail)
        clock.advance_to(_at(-18, 22))
        _implement(mail, sam, "successful", "Upgraded in 2 h 10 min; all databases mounted.", "")
        release = releases.save_release(manager, {"name": "Mail platform", "version": "15.2 CU14",
                                                  "planned_date": _at(-18, 22).date(),
                                                  "configuration_items": _cis("mail-exch-01"),
                                                  "services": [Service.objects.get(name="E-mail and calendar")],
                                                  "changes": [mail]})
        releases.deploy(release, manager)

        # Standard changes from the print spooler template: clean runs, and one that failed.
        spooler = templates.ChangeTemplate.objects.get(name="Restart the print spooler")
        _spooler_runs(spooler, alex, clock, raised, ((-16, "successful"), (-12, "successful")))

        # An emergency firewall rule, authorised by the emergency CAB, reviewed afterwards.
        clock.advance_to(_at(-11, 15))
        emergency = _raise(users, {"title": "Emergency firewall rule for the ERP vendor's support session",
                                   "type": "emergency", "team": network, "assignee": "agent.network",
                                   "cis": ["erp-app-01"], "window": (-11, 16, 1), "impact": 1, "urgency": 1,
                                   "reason": "P1 incident: the vendor must reach the ERP now."})
        raised.append(emergency)
        _move(emergency, nora, flow.AUTHORIZE)
        later(0.5)
        _approve_all(emergency)
        clock.advance_to(_at(-11, 16))
        _implement(emergency, nora, "successful_with_issues", "Rule added; the first attempt used the wrong port.",
                   "Keep a vetted list of vendor addresses so the next rule is ready in minutes.")

        _spooler_runs(spooler, alex, clock, raised, ((-9, "failed"), (-5, "successful")))

        # A database patch that failed and caused an incident: waiting for its review.
        clock.advance_to(_at(-4, 9))
        patch = _raise(users, {"title": "Apply the quarterly patch to erp-db-01", "team": apps,
                               "assignee": "agent.apps", "cis": ["erp-db-01"], "window": (-3, 21, 2),
                               "answers": _answers(1, 1, 1, 1)})
        raised.append(patch)
        _move(patch, sam, flow.AUTHORIZE)
        later(4)
        _approve_all(patch)
        clock.advance_to(_at(-3, 21))
        patch = _implement(patch, sam, "backed_out", "Replication broke after the patch; rolled back at 22:40.",
                           None)
        incident = _erp_incident(users)
        if incident is not None:
            core_services.add_link(incident, sam, patch, LinkKind.CAUSED_BY)

        # A low-risk change rejected by the peer reviewer, and one cancelled.
        clock.advance_to(_at(-2, 10))
        tls = _raise(users, {"title": "Disable TLS 1.0 on the mail relay", "team": apps, "assignee": "agent.apps",
                             "cis": ["mail-exch-01"], "window": (5, 22, 1), "answers": _answers(0, 0, 0, 0)})
        raised.append(tls)
        _move(tls, sam, flow.AUTHORIZE)
        approval = tls.approvals.filter(state="pending").select_related("approver").first()
        if approval is not None:
            approvals.decide(approval, approval.approver, False,
                             "Two shop tills still speak TLS 1.0: upgrade them first.")
        erp = _raise(users, {"title": "Upgrade the ERP to release 2027.1", "team": apps, "assignee": "agent.apps",
                             "cis": ["erp-app-01", "erp-db-01"], "window": (30, 20, 8)})
        raised.append(erp)
        _move(erp, sam, flow.CANCELLED, {"cancel_reason": "The vendor withdrew 2027.1; we wait for 2027.2."})
        printers = _raise(users, {"title": "Move the shop printers to the new print server", "team": desk,
                                  "assignee": "agent", "cis": ["prn-shop-12"], "window": (0, 0, 8),
                                  "answers": _answers(0, 1, 0, 1)})
        raised.append(printers)
        _move(printers, alex, flow.AUTHORIZE)
        _approve_all(printers)

        # Today: a core switch replacement waiting for the CAB, and a re-cabling scheduled on the same switch.
        clock.advance_to(_at(0, 0) - datetime.timedelta(hours=3))
        switch = _raise(users, {"title": "Replace the core switch core-sw-hq-01", "team": network,
                                "assignee": "agent.network", "cis": ["core-sw-hq-01"], "window": (6, 22, 4),
                                "impact": 1, "answers": _answers(2, 2, 1, 1),
                                "reason": "The switch is out of vendor support and dropped packets twice."})
        raised.append(switch)
        _move(switch, nora, flow.ASSESS)
        _move(switch, nora, flow.AUTHORIZE)
        _approve_first_stage(switch)
        recable = _raise(users, {"title": "Re-cable the uplinks of core-sw-hq-01", "team": network,
                                 "assignee": "agent", "cis": ["core-sw-hq-01"], "window": (6, 23, 2),
                                 "answers": _answers(0, 0, 1, 1)})
        raised.append(recable)
        _move(recable, alex, flow.AUTHORIZE)
        _approve_all(recable)
        _move(printers, alex, flow.IMPLEMENT)
        raised.append(_raise(users, {"title": "Retire the old VPN gateway", "team": network,
                                     "assignee": "agent.network", "cis": ["vpn-gw-01"]}))
        mfa = _raise(users, {"title": "Require MFA on the VPN", "team": network, "assignee": "agent.network",
                             "cis": ["vpn-gw-01"], "window": (9, 20, 2), "answers": _answers(1, 0, 2, 1)})
        raised.append(mfa)
        _move(mfa, nora, flow.ASSESS)
        tomorrow = templates.raise_standard_change(
            templates.ChangeTemplate.objects.get(name="Add a VLAN to an access switch"), nora,
            {"title": "Add VLAN 40 for the new lab", "planned_start": _at(1, 21)})
        raised.append(tomorrow)
        _meetings(users, manager)
        deliver_mail()
    return len(raised)


def _spooler_runs(spooler, agent, clock, raised, runs):
    for day, outcome in runs:
        clock.advance_to(_at(day, 10))
        change = templates.raise_standard_change(spooler, agent, {"configuration_items": _cis("prn-hq-floor3")})
        raised.append(change)
        clock.advance_to(clock.now + datetime.timedelta(hours=1))
        failed = outcome == "failed"
        _implement(change, agent, outcome, "Service would not start; printer re-queued by hand." if failed
                   else "Queue cleared.",
                   "The spooler hung again: the driver is the cause (problem raised)." if failed else "")


def _approve_first_stage(change):
    """The team manager approves; the CAB stage stays open for the meeting."""
    approval = change.approvals.filter(state="pending").select_related("approver").first()
    if approval is not None and not approval.stage.name.endswith("Board"):
        approvals.decide(approval, approval.approver, True, "Fine from the team's side; over to the CAB.")


def _meetings(users, manager):
    board = ChangeAdvisoryBoard.objects.get(emergency=False)
    held = cab.create_meeting(manager, {"board": board, "title": "Weekly CAB", "starts_at": _at(-7, 14),
                                        "ends_at": _at(-7, 15), "location": "Room 2.14"})
    cab.save_minutes(held, manager, "Present: Morgan Lee (chair), Ada Admin, Nora Patel.\n"
                                    "Reviewed last week's failed spooler restart: keep the template, watch it.\n"
                                    "No changes waited for the board.", held=True)
    next_tuesday = timezone.localdate() + datetime.timedelta(days=(1 - timezone.localdate().weekday()) % 7 or 7)
    upcoming = cab.create_meeting(manager, {
        "board": board, "title": "Weekly CAB", "location": "Room 2.14",
        "starts_at": datetime.datetime.combine(next_tuesday, datetime.time(14, 0),
                                               timezone.get_current_timezone())})
    cab.build_agenda(upcoming, manager)


def _erp_incident(users):
    from incidents import services as incident_services

    erp_db = ConfigurationItem.objects.filter(name="erp-db-01").first()
    return incident_services.create_incident(users["agent"], {
        "title": "ERP orders fail after last night's database patch", "impact": 1, "urgency": 2,
        "configuration_item": erp_db, "requester": users["requester"],
        "description": "Order entry times out since 22:15; replication errors in the database log."})
