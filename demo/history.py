"""A service desk's history, written through the real services on a simulated clock.

Day by day from `days` ago up to now: incidents arrive on business-hours patterns, agents pick them up and
resolve them after realistic delays (slower in stretched months), some wait on hold, a few are cancelled or
reopened; requesters close some and answer some satisfaction surveys; the product's own jobs run on the same
clock (the SLA sweep every hour, auto-close and mail delivery every night); a few major incidents take a
service down; a service review discusses last month. What is still going on at the end stays open.
"""

import datetime
import random
from collections import Counter
from dataclasses import dataclass

from django.core.mail import get_connection
from django.db import transaction
from django.utils import timezone

from core import notification_services
from core import services as core_services
from core.models import Channel
from core.tasks import deliver_pending
from incidents import services as incident_services
from incidents import workflow as wf
from incidents.models import OnHoldReason
from slm import sweep
from slm.models import SatisfactionSurvey, SLATimer
from slm.surveys import answer_survey

from . import patterns, texts
from .clock import SimulatedClock
from .reviews import review_last_month
from .scheduler import Scheduler

# The SLA sweep runs every two hours while the office is open, every four at night and at weekends: it
# records warnings and breaches at the instants they were reached, whenever it runs.
SWEEP_EVERY, SWEEP_EVERY_OFF_HOURS = datetime.timedelta(hours=2), datetime.timedelta(hours=4)
CANCEL_SHARE, HOLD_SHARE, NOTE_SHARE, REOPEN_SHARE = 0.03, 0.2, 0.3, 0.04
CLOSE_SHARE, SURVEY_SHARE, REPLY_SHARE, QUICK_FIX_SHARE = 0.3, 0.4, 0.3, 0.4
ON_THE_PHONE = {Channel.PHONE, Channel.WALK_IN}
MAJORS_EVERY_DAYS = 55


@dataclass
class Cast:
    users: dict
    teams: dict
    categories: dict
    services: list
    cis: dict
    organizations: list
    requesters: list
    agents_by_team: dict


def minutes(a, b, rng):
    return datetime.timedelta(minutes=rng.uniform(a, b))


class History:
    def __init__(self, cast, days, seed=2026, end=None):
        self.cast, self.days = cast, days
        self.rng = random.Random(seed)
        self.end = end or timezone.now()
        first_day = patterns.local(self.end).date() - datetime.timedelta(days=days)
        self.start = datetime.datetime.combine(first_day, datetime.time(), patterns.OFFICE)
        months = {(first_day + datetime.timedelta(days=d)).timetuple()[:2] for d in range(days + 1)}
        self.strain = patterns.month_strain(self.rng, sorted(months))
        self.desk = cast.agents_by_team["Service Desk"]
        self.stats = Counter()
        # The history's mail is marked sent on the simulated clock but goes nowhere.
        self.mail = get_connection("django.core.mail.backends.dummy.EmailBackend")

    @property
    def now(self):
        return self.clock.now

    def strain_now(self):
        return self.strain.get(patterns.local(self.now).timetuple()[:2], 1.0)

    def run(self):
        """Write the whole history in one transaction; returns counts of what happened."""
        with SimulatedClock(self.start) as self.clock, transaction.atomic():
            scheduler = Scheduler(self.clock, self.end)
            scheduler.spawn(self.arrivals(scheduler), self.start)
            scheduler.spawn(self.sla_sweep(), self.start + SWEEP_EVERY)
            scheduler.spawn(self.nightly(), self.start + datetime.timedelta(hours=2))
            for at, spec in self.major_plan():
                scheduler.spawn(self.major_incident(spec), at)
            scheduler.spawn(self.review(), self.review_instant())
            scheduler.run()
            self.clock.advance_to(self.end)
            self.sweep_all()
        return self.stats

    # --- the product's own jobs, on the simulated clock --------------------------------------------

    def sweep_all(self):
        while sweep.sweep(now=self.now) == sweep.BATCH_SIZE:
            pass

    def sla_sweep(self):
        while True:
            self.sweep_all()
            yield self.now + (SWEEP_EVERY if patterns.is_office_hours(self.now) else SWEEP_EVERY_OFF_HOURS)

    def nightly(self):
        """02:00 every night: auto-close, deliver the day's mail; on Sundays everyone has read last week's news."""
        while True:
            while incident_services.auto_close_resolved(now=self.now) == 500:
                pass
            while deliver_pending(batch_size=500, connection=self.mail)[2] == 500:
                pass
            if patterns.local(self.now).weekday() == 6:
                for user in self.cast.users.values():
                    notification_services.mark_all_read(user)
            yield self.now + datetime.timedelta(days=1)

    # --- incidents ------------------------------------------------------------------------------

    def arrivals(self, scheduler):
        """At each local midnight, schedule the day's incidents."""
        day = self.start.date()
        while True:
            for at in patterns.arrivals(self.rng, day):
                scheduler.spawn(self.incident(), at)
            day += datetime.timedelta(days=1)
            yield datetime.datetime.combine(day, datetime.time(), patterns.OFFICE)

    def _severity(self, impact, urgency):
        roll = self.rng.random()
        if roll < 0.12:
            urgency = max(1, urgency - 1)
        elif roll < 0.2:
            impact = max(1, impact - 1)
        elif roll < 0.35:
            urgency = min(3, urgency + 1)
        return impact, urgency

    def _new_incident(self):
        rng, cast = self.rng, self.cast
        scenario = rng.choices(texts.SCENARIOS, weights=texts.SCENARIO_WEIGHTS)[0]
        title, category, subcategory, service_index, ci_name, team, impact, urgency = scenario
        impact, urgency = self._severity(impact, urgency)
        requester = rng.choice(cast.requesters)
        channel = rng.choices([c for c, _ in texts.CHANNELS], weights=[w for _, w in texts.CHANNELS])[0]
        via_portal = channel == Channel.PORTAL
        data = {"title": title, "description": f"{title}. Reported by {requester.get_full_name()}.",
                "impact": impact, "urgency": urgency, "channel": channel, "requester": requester,
                "category": cast.categories[category], "subcategory": cast.categories[(category, subcategory)]}
        if service_index is not None:
            data["service"] = cast.services[service_index]
        ci = cast.cis[ci_name] if ci_name else None
        # In the portal a requester can name only configuration items of their own organization (or of none).
        if ci is not None and (not via_portal or ci.organization_id in (None, requester.profile.organization_id)):
            data["configuration_item"] = ci
        actor = requester if via_portal else rng.choice(self.desk)
        if channel in ON_THE_PHONE and team == "Service Desk":  # the agent on the phone takes it on the spot
            data.update(team=cast.teams[team], assignee=actor)
        self.stats["incidents"] += 1
        return incident_services.create_incident(actor, data), team

    def incident(self):
        """One incident from its call to its closure (or as far as the present allows)."""
        rng = self.rng
        incident, team_name = self._new_incident()
        requester, strain = incident.requester, self.strain_now()
        if rng.random() < CANCEL_SHARE:
            yield self.now + minutes(10, 120, rng)
            core_services.add_comment(incident, requester, rng.choice(texts.CANCEL_NOTES))
            incident_services.transition_incident(incident, rng.choice(self.desk), wf.CANCELLED,
                                                  {"cancel_reason": "Cancelled at the caller's request."})
            self.stats["cancelled"] += 1
            return
        if incident.assignee_id:
            agent = incident.assignee
        else:
            yield self.now + patterns.pickup_delay(rng, incident.created_at, incident.priority, strain)
            agent = rng.choice(self.cast.agents_by_team[team_name])
            incident = core_services.assign(incident, agent, team=self.cast.teams[team_name], assignee=agent)
        if incident.priority <= 3 or rng.random() >= QUICK_FIX_SHARE:  # quick fixes go from New to Resolved
            reply = rng.choice(texts.FIRST_REPLIES) if rng.random() < REPLY_SHARE else ""
            incident = incident_services.transition_incident(incident, agent, wf.IN_PROGRESS, comment=reply)
        work = patterns.work_duration(rng, incident.priority, strain)
        if incident.priority >= 3 and rng.random() < HOLD_SHARE:
            share = rng.uniform(0.2, 0.6)
            yield self.now + work * share
            incident = yield from self._hold(incident, agent)
            work *= 1 - share
        elif rng.random() < NOTE_SHARE:
            yield self.now + work / 2
            note = rng.choice(texts.WORK_NOTES).format(n=rng.randint(1000, 9999))
            core_services.add_comment(incident, agent, note, internal=True)
            work /= 2
        yield patterns.resolve_instant(rng, self.now + work, incident.priority)
        incident = self._resolve(incident, agent)
        if rng.random() < REOPEN_SHARE:
            yield self.now + datetime.timedelta(hours=rng.uniform(2, 30))
            incident = incident_services.transition_incident(incident, requester, wf.IN_PROGRESS,
                                                             comment=rng.choice(texts.REOPEN_NOTES))
            self.stats["reopened"] += 1
            yield patterns.resolve_instant(rng, self.now + datetime.timedelta(hours=rng.uniform(1, 8)),
                                           incident.priority)
            incident = self._resolve(incident, agent)
        yield from self._after_resolution(incident, requester)

    def _hold(self, incident, agent):
        rng = self.rng
        index = rng.randrange(len(texts.HOLD_REASONS))
        reason, note = texts.HOLD_REASONS[index]
        incident = incident_services.transition_incident(incident, agent, wf.ON_HOLD, {"on_hold_reason": reason},
                                                         comment=note)
        self.stats["held"] += 1
        yield self.now + patterns.hold_duration(rng, index)
        if reason == OnHoldReason.AWAITING_CALLER:
            core_services.add_comment(incident, incident.requester, rng.choice(texts.RESUME_NOTES[:2]))
        return incident_services.transition_incident(incident, agent, wf.IN_PROGRESS)

    def _resolve(self, incident, agent):
        code, notes = self.rng.choice(texts.RESOLUTIONS)
        self.stats["resolved"] += 1
        return incident_services.transition_incident(
            incident, agent, wf.RESOLVED, {"resolution_code": code, "resolution_notes": notes})

    def _after_resolution(self, incident, requester):
        """Some requesters confirm and close, some rate the service; the rest is closed by the nightly job."""
        rng = self.rng
        steps = []
        if rng.random() < CLOSE_SHARE:
            steps.append((self.now + datetime.timedelta(hours=rng.uniform(0.5, 30)), "close"))
        if rng.random() < SURVEY_SHARE:
            steps.append((self.now + datetime.timedelta(hours=rng.uniform(0.5, 40)), "survey"))
        for at, step in sorted(steps):
            yield at
            if step == "close":
                incident = incident_services.transition_incident(incident, requester, wf.CLOSED)
            else:
                self._answer_survey(incident, requester)

    def _answer_survey(self, incident, requester):
        survey = SatisfactionSurvey.objects.filter(ticket_id=incident.pk, answered_at__isnull=True).first()
        if survey is None:
            return
        breached = SLATimer.objects.filter(ticket_id=incident.pk, breached_at__isnull=False).exists()
        rating = self.rng.choice([1, 2, 2, 3, 3, 4] if breached else [3, 4, 4, 5, 5, 5])
        answer_survey(survey, requester, rating, self.rng.choice(texts.SURVEY_COMMENTS[rating]))
        self.stats["surveys answered"] += 1

    # --- major incidents ------------------------------------------------------------------------

    def major_plan(self):
        """A few major incidents spread over the history (one in a short one), on weekday working hours."""
        count = max(1, self.days // MAJORS_EVERY_DAYS)
        plan = []
        for n in range(count):
            day = self.start.date() + datetime.timedelta(days=int(self.days * (n + 0.6) / (count + 0.2)))
            while day.weekday() >= 5:
                day += datetime.timedelta(days=1)
            at = datetime.datetime.combine(day, datetime.time(self.rng.randint(7, 15), self.rng.randint(0, 59)),
                                           patterns.OFFICE)
            plan.append((min(at, self.end - datetime.timedelta(hours=6)), texts.MAJOR_INCIDENTS[n % 4]))
        return plan

    def major_incident(self, spec):
        """Monitoring raises it, the manager declares it (the outage starts), callers pile in, the fix ends it."""
        rng, cast = self.rng, self.cast
        title, service_index, ci_name, team_name, (category, subcategory), description = spec
        manager, agent = cast.users["manager"], cast.agents_by_team[team_name][0]
        common = {"category": cast.categories[category], "subcategory": cast.categories[(category, subcategory)],
                  "service": cast.services[service_index]}
        parent = incident_services.create_incident(manager, {
            **common, "title": title, "description": description, "impact": 1, "urgency": 1,
            "channel": Channel.MONITORING, "configuration_item": cast.cis[ci_name], "is_major": True,
            "major_incident_manager": manager, "team": cast.teams[team_name], "assignee": agent})
        self.stats["incidents"] += 1
        self.stats["major incidents"] += 1
        parent = incident_services.transition_incident(parent, agent, wf.IN_PROGRESS)
        core_services.add_comment(parent, manager, "Major incident declared. Bridge call every 30 minutes.",
                                  internal=True)
        outage = datetime.timedelta(hours=rng.uniform(1.5, 5))
        for requester in rng.sample(cast.requesters, rng.randint(2, 4)):
            yield self.now + minutes(3, 20, rng)
            child = incident_services.create_incident(requester, {
                **common, "channel": Channel.PORTAL, "title": rng.choice(texts.MAJOR_CHILD_TITLES),
                "description": f"{title}?", "impact": 2, "urgency": 1, "requester": requester, "parent": parent})
            self.stats["incidents"] += 1
            core_services.add_comment(child, rng.choice(self.desk),
                                      f"Known outage, linked to major incident {parent.number}. We will update "
                                      "you as soon as it is fixed.")
        yield self.now + minutes(20, 40, rng)
        core_services.add_comment(parent, agent, "We are aware of the outage and working on it. Next update in "
                                                 "30 minutes.")
        yield parent.created_at + outage
        incident_services.transition_incident(
            parent, agent, wf.RESOLVED, {"resolution_code": texts.RESOLUTIONS[0][0],
                                         "resolution_notes": "Failed component replaced; service restored."},
            comment="Service restored. Root cause analysis follows in a problem record.", resolve_children=True)

    # --- service review -------------------------------------------------------------------------

    def review_instant(self):
        """The first working day after the 4th of this month, 10:00; never after the end of the history."""
        day = patterns.local(self.end).date().replace(day=5)
        while day.weekday() >= 5:
            day += datetime.timedelta(days=1)
        at = datetime.datetime.combine(day, datetime.time(10), patterns.OFFICE)
        return max(self.start, min(at, self.end - datetime.timedelta(hours=1)))

    def review(self):
        self.stats["service reviews"] += len(review_last_month(self.cast, self.now))
        yield from ()  # a process of one step
