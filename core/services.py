"""Every write to a ticket goes through here: lock, check version, check workflow, audit, hooks, one transaction."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from . import assignment, hooks, permissions
from .context import request_id
from .models import (Attachment, AuditAction, AuditEntry, Comment, NumberSequence, PriorityMatrix, Team,
                     Ticket, TicketLink)
from .workflow import TransitionError, refuse_message


class ConflictError(Exception):
    """The caller's version of the ticket is stale."""

    def __init__(self, current_version):
        self.current_version = current_version
        super().__init__(f"stale version; current is {current_version}")


class PermissionDeniedError(Exception):
    pass


# --- numbers ---------------------------------------------------------------------------------

def sequence_value(sequence, key):
    """The next value of a counter starting at 1001. PostgreSQL: the sequence `sequence` (created on first use;
    nextval() never waits); else the locked NumberSequence row `key`."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            try:
                with transaction.atomic():
                    cursor.execute(f"SELECT nextval('{sequence}')")
            except Exception:
                with transaction.atomic():
                    # Concurrent first creates: one creates the sequence, the others wait for its commit.
                    cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [sequence])
                    cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {sequence} START 1001")
                cursor.execute(f"SELECT nextval('{sequence}')")
            return cursor.fetchone()[0]
    with transaction.atomic():
        if not NumberSequence.objects.filter(kind=key).update(last_value=F("last_value") + 1):
            try:
                with transaction.atomic():
                    NumberSequence.objects.create(kind=key, last_value=1001)
            except IntegrityError:
                NumberSequence.objects.filter(kind=key).update(last_value=F("last_value") + 1)
        return NumberSequence.objects.get(kind=key).last_value


def next_number(kind):
    """The next number of a ticket kind, e.g. INC0001001."""
    return f"{hooks.ticket_kinds[kind].prefix}{sequence_value(f'ticket_number_{kind}', kind):07d}"


# --- helpers ---------------------------------------------------------------------------------

def priority_for(impact, urgency):
    entry = PriorityMatrix.objects.filter(impact=impact, urgency=urgency).values_list("priority", flat=True).first()
    if entry is not None:
        return entry
    return min(5, max(1, impact + urgency - 1))


def _value(instance, name):
    field = instance._meta.get_field(name)
    if isinstance(field, models.ForeignKey):
        return getattr(instance, field.attname)
    value = getattr(instance, name)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _audit(ticket, actor, action, changes=None):
    """Record a change; the entry is also kept on `ticket` (latest_audit_entry) for the hooks that follow."""
    entry = AuditEntry.objects.create(ticket_id=ticket.pk, actor=actor if actor and actor.pk else None,
                                      action=action, changes=changes or {}, request_id=request_id.get())
    ticket.latest_audit_entry = entry
    return entry


def _run_hooks(ticket, changes, actor, action):
    for fn in hooks.ticket_written:
        fn(ticket, changes, actor, action)


def _lock(ticket, expected_version):
    locked = type(ticket).objects.select_for_update().get(pk=ticket.pk)
    if expected_version is not None and int(expected_version) != locked.version:
        raise ConflictError(locked.version)
    return locked


def _check_assignment(ticket):
    if ticket.assignee_id and ticket.team_id and not Team.members.through.objects.filter(
            team_id=ticket.team_id, user_id=ticket.assignee_id).exists():
        raise ValidationError({"assignee": _("The assignee must be a member of the assigned team.")})
    if ticket.assignee_id and not permissions.is_agent(ticket.assignee):
        raise ValidationError({"assignee": _("Only service desk staff can be assigned.")})


def _check_configuration_item(ticket, actor):
    """A requester may name only configuration items of their own organization or of none."""
    if not ticket.configuration_item_id or actor is None or permissions.is_agent(actor):
        return
    owner = getattr(ticket.configuration_item, "organization_id", None)
    profile = getattr(actor, "profile", None)
    if owner is not None and owner != (profile.organization_id if profile else None):
        raise ValidationError({"configuration_item": _("Unknown configuration item.")})


def _check_service(ticket, actor):
    """A requester may name only a service offered to their organization (the catalogue they can browse)."""
    if not ticket.service_id or actor is None or permissions.is_agent(actor):
        return
    profile = getattr(actor, "profile", None)
    organization_id = profile.organization_id if profile else None
    if not all(offered(ticket.service_id, organization_id) for offered in hooks.service_offered):
        raise ValidationError({"service": _("Unknown service.")})


def _loaded_relations(ticket):
    """Foreign keys holding an instance read from the database: they exist, full_clean need not look again."""
    return [field.name for field in ticket._meta.concrete_fields
            if field.many_to_one and field.is_cached(ticket) and getattr(ticket, field.name) is not None
            and getattr(ticket, field.name).pk == getattr(ticket, field.attname)]


def _apply(ticket, data):
    """Set fields from data; returns {field: [old, new]} of what changed."""
    changes = {}
    for name, new in data.items():
        field = ticket._meta.get_field(name)
        old = _value(ticket, name)
        if isinstance(field, models.ForeignKey):
            new_id = new.pk if isinstance(new, models.Model) else new
            setattr(ticket, field.attname, new_id)
            if new_id is not None and isinstance(new, models.Model):
                setattr(ticket, name, new)
        else:
            setattr(ticket, name, new)
        current = _value(ticket, name)
        if current != old:
            changes[name] = [old, current]
    return changes


ASSIGNMENT_FIELDS = {"team", "assignee"}


def _route_after_change(ticket, changes):
    """Assignment rules after a write that changed a condition field of an open ticket ({} if nothing moved)."""
    if not changes.keys() & assignment.trigger_fields(ticket):
        return {}
    workflow = hooks.ticket_kinds[ticket.kind].workflow
    if ticket.state in workflow.resolved_states | workflow.closed_states:
        return {}
    return assignment.route(ticket)


def _save(ticket, actor, action, changes, extra_audit=(), route=False):
    """Validate, bump the version, save and audit. `route`: the write did not name a team or assignee, so
    the assignment rules run when a condition field changed (a rule's pick never counts as a first response)."""
    now = timezone.now()
    if "team" in changes or "assignee" in changes:
        _check_assignment(ticket)
        if ticket.assignee_id and not ticket.first_response_at:
            ticket.first_response_at = now
            changes["first_response_at"] = [None, now.isoformat()]
    if "impact" in changes or "urgency" in changes:
        new_priority = priority_for(ticket.impact, ticket.urgency)
        if new_priority != ticket.priority:
            changes["priority"] = [ticket.priority, new_priority]
            ticket.priority = new_priority
    routed = _route_after_change(ticket, changes) if route else {}
    ticket.full_clean(exclude=["number", "kind"], validate_unique=False)
    ticket.version += 1
    ticket.updated_at = now
    ticket.save()
    assignment = {k: v for k, v in changes.items() if k in ("team", "assignee")}
    rest = {k: v for k, v in changes.items() if k not in ("team", "assignee")}
    if assignment:
        _audit(ticket, actor, AuditAction.ASSIGNED, assignment)
    if rest or not assignment:
        _audit(ticket, actor, action, rest)
    if routed:
        _audit(ticket, actor, AuditAction.ASSIGNED, routed)
    for extra_action, extra_changes in extra_audit:
        _audit(ticket, actor, extra_action, extra_changes)
    _run_hooks(ticket, {**changes, **_field_changes(routed)}, actor, action)
    return ticket


def _field_changes(routed):
    return {k: v for k, v in routed.items() if k in ASSIGNMENT_FIELDS}


def bump_version(ticket):
    """A side write on the ticket (approvals, related rows): forms and ETags loaded before it are now stale.
    Atomic (F() + 1), so concurrent side writes each count; `ticket` gets the new version."""
    now = timezone.now()
    Ticket.objects.filter(pk=ticket.pk).update(version=F("version") + 1, updated_at=now)
    ticket.version = Ticket.objects.filter(pk=ticket.pk).values_list("version", flat=True).get()
    ticket.updated_at = now
    return ticket


def set_relations(ticket, actor, relations):
    """Set many-to-many fields of a ticket ({name: values}); one audit entry with what changed, and the version
    bumped (a relation change is an edit: a form loaded before it is now stale)."""
    changes = {}
    for name, values in relations.items():
        relation = getattr(ticket, name)
        old = sorted(relation.values_list("pk", flat=True))
        new = sorted({getattr(value, "pk", value) for value in values})
        if old != new:
            relation.set(new)
            changes[name] = [old, new]
    if changes:
        _audit(ticket, actor, AuditAction.UPDATED, changes)
        bump_version(ticket)
    return changes


# --- writes ----------------------------------------------------------------------------------

@transaction.atomic
def create_ticket(model, actor, data):
    """Create a ticket of `model`'s kind from validated field values."""
    kind = model.TICKET_KIND
    registry = hooks.ticket_kinds[kind]
    data = dict(data)
    ticket = model(kind=kind, state=registry.workflow.initial, created_by=actor if actor and actor.pk else None)
    if ticket.created_by and "requester" not in data and not permissions.is_agent(actor):
        data["requester"] = actor
    for name, value in data.items():
        field = model._meta.get_field(name)
        if isinstance(field, models.ForeignKey) and not isinstance(value, models.Model):
            setattr(ticket, field.attname, value)
        else:
            setattr(ticket, name, value)
    if not ticket.organization_id and ticket.requester_id:
        profile = getattr(ticket.requester, "profile", None)
        ticket.organization_id = profile.organization_id if profile else None
    _check_configuration_item(ticket, actor)
    _check_service(ticket, actor)
    if ticket.service_id is None and ticket.configuration_item_id:
        ticket.service_id = getattr(ticket.configuration_item, "service_id", None)
    ticket.priority = priority_for(ticket.impact, ticket.urgency)
    now = timezone.now()
    ticket.created_at = ticket.updated_at = now
    if ticket.assignee_id:
        _check_assignment(ticket)
        ticket.first_response_at = now
    # Rules route a new ticket only when the caller named neither a team nor an assignee.
    routed = {} if ticket.team_id or ticket.assignee_id else assignment.route(ticket)
    ticket.full_clean(exclude=["number", "kind", "version", *_loaded_relations(ticket)], validate_unique=False)
    ticket.number = next_number(kind)
    ticket.save()
    snapshot = {f.name: [None, _value(ticket, f.name)] for f in model._meta.concrete_fields
                if f.name not in ("id", "ticket_ptr", "version", "updated_at", "created_at")
                and _value(ticket, f.name) not in (None, "") and f.name not in routed}
    _audit(ticket, actor, AuditAction.CREATED, snapshot)
    if routed:
        _audit(ticket, actor, AuditAction.ASSIGNED, routed)
    _run_hooks(ticket, {**snapshot, **_field_changes(routed)}, actor, AuditAction.CREATED)
    return ticket


@transaction.atomic
def update_ticket(ticket, actor, data, expected_version=None):
    """Change fields (not state: that is transition_ticket)."""
    if "state" in data:
        raise ValidationError({"state": _("Use a transition to change the state.")})
    ticket = _lock(ticket, expected_version)
    changes = _apply(ticket, data)
    if not changes:
        return ticket
    if "configuration_item" in changes:
        _check_configuration_item(ticket, actor)
    if "service" in changes:
        _check_service(ticket, actor)
    return _save(ticket, actor, AuditAction.UPDATED, changes, route=not ASSIGNMENT_FIELDS & data.keys())


@transaction.atomic
def assign(ticket, actor, team=None, assignee=None, expected_version=None):
    data = {"team": team, "assignee": assignee}
    if assignee is not None and team is None:
        data.pop("team")
    return update_ticket(ticket, actor, data, expected_version)


def allowed_transitions(ticket, user):
    workflow = hooks.ticket_kinds[ticket.kind].workflow
    return [t for t in workflow.allowed(ticket.state).values() if permissions.can_transition(user, ticket, t)]


@transaction.atomic
def transition_ticket(ticket, actor, to, data=None, expected_version=None, comment="", internal_comment=False,
                      system=False):
    """Move a ticket to state `to`, with the fields that transition requires. `system`: a move the practice's
    own rules take (an approval outcome, the last task done) on behalf of `actor`, who is audited as the
    cause but needs no permission for it."""
    data = dict(data or {})
    registry = hooks.ticket_kinds[ticket.kind]
    workflow = registry.workflow
    ticket = _lock(ticket, expected_version)
    transition = workflow.get(ticket.state, to)
    if transition is None:
        raise TransitionError({"to": [refuse_message(workflow, ticket.state, to)]})
    if actor is not None and not system and not permissions.can_transition(actor, ticket, transition):
        raise PermissionDeniedError(_("You may not make this change."))
    allowed_fields = set(transition.required) | set(transition.optional)
    unknown = set(data) - allowed_fields
    if unknown:
        raise TransitionError({name: [_("This field cannot be set by this transition.")] for name in sorted(unknown)})
    missing = {name: [_("This field is required to move to “%(state)s”.") % {"state": workflow.label(to)}]
               for name in transition.required
               if data.get(name) in (None, "") and (name in data or getattr(ticket, name, None) in (None, ""))}
    if missing:
        raise TransitionError(missing)
    from_state = ticket.state
    changes = _apply(ticket, data)
    changes["state"] = [from_state, to]
    ticket.state = to
    now = timezone.now()
    if to in workflow.resolved_states and from_state not in workflow.resolved_states:
        ticket.resolved_at = now
        changes["resolved_at"] = [None, now.isoformat()]
    elif from_state in workflow.resolved_states and to not in workflow.resolved_states | workflow.closed_states:
        changes["resolved_at"] = [_value(ticket, "resolved_at"), None]
        ticket.resolved_at = None
    if to in workflow.closed_states:
        ticket.closed_at = now
        changes["closed_at"] = [None, now.isoformat()]
    before = getattr(ticket, "before_transition", None)
    if before:
        changes.update(before(from_state, to, actor) or {})
    _save(ticket, actor, AuditAction.TRANSITIONED, changes, route=not ASSIGNMENT_FIELDS & data.keys())
    if comment:
        add_comment(ticket, actor, comment, internal=internal_comment)
    return ticket


@transaction.atomic
def add_comment(ticket, actor, body, internal=False):
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("This field may not be blank.")})
    if internal and actor is not None and not permissions.can_see_internal(actor):
        raise PermissionDeniedError(_("Only service desk staff can add work notes."))
    if actor is not None and not permissions.can_comment(actor, ticket):
        raise PermissionDeniedError(_("You may not reply on this ticket."))
    comment = Comment.objects.create(ticket_id=ticket.pk, author=actor, body=body, is_internal=internal)
    changes = {"comment": comment.pk}
    if not internal and permissions.is_agent(actor) and ticket.requester_id != actor.pk:  # first agent reply
        if Ticket.objects.filter(pk=ticket.pk, first_response_at__isnull=True).update(
                first_response_at=comment.created_at):
            ticket.first_response_at = comment.created_at
            changes["first_response_at"] = [None, comment.created_at.isoformat()]
    action = AuditAction.WORK_NOTE if internal else AuditAction.COMMENTED
    _audit(ticket, actor, action, changes)
    _run_hooks(ticket, changes, actor, action)
    return comment


def validate_upload(upload):
    """The upload's content type, sniffed from its bytes (core.uploads); ValidationError on "file"."""
    from django.conf import settings

    from .uploads import sniff

    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise ValidationError({"file": [_("The file is too large (%(size)d bytes; at most %(max)d).") % {
            "size": upload.size, "max": settings.ATTACHMENT_MAX_BYTES}]})
    return sniff(upload)


@transaction.atomic
def add_attachment(ticket, actor, upload, internal=False):
    if actor is not None and not permissions.can_comment(actor, ticket):
        raise PermissionDeniedError(_("You may not add files to this ticket."))
    content_type = validate_upload(upload)
    if internal and not permissions.can_see_internal(actor):
        internal = False
    name = (upload.name or "file").rsplit("/", 1)[-1][:255]
    attachment = Attachment(ticket_id=ticket.pk, filename=name, content_type=content_type, size=upload.size,
                            uploaded_by=actor, is_internal=internal)
    attachment.file.save(name, upload, save=False)
    attachment.save()
    _audit(ticket, actor, AuditAction.ATTACHED, {"attachment": [None, name]})
    return attachment


@transaction.atomic
def add_link(ticket, actor, target, kind):
    if target.pk == ticket.pk:
        raise ValidationError({"target": _("A ticket cannot be linked to itself.")})
    link, created = TicketLink.objects.get_or_create(source_id=ticket.pk, target_id=target.pk, kind=kind,
                                                     defaults={"created_by": actor})
    if not created:
        raise ValidationError({"target": _("These tickets are already linked this way.")})
    _audit(ticket, actor, AuditAction.LINKED, {"link": [None, f"{kind}:{target.number}"]})
    _audit(target, actor, AuditAction.LINKED, {"link": [None, f"{kind}<-{ticket.number}"]})
    return link


@transaction.atomic
def remove_link(link, actor):
    _audit(link.source, actor, AuditAction.UNLINKED, {"link": [f"{link.kind}:{link.target.number}", None]})
    link.delete()
