"""The ticket page's inline actions: POST {ns}:action <pk> <name>. Every write goes through the services."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from core import account_services, assignment, permissions
from core import services as core_services
from core.ticket_forms import AttachmentForm, LinkForm, NoteForm, ReassignForm, ReplyForm
from core.workflow import TransitionError

from .base import form_errors_from
from .detail import TicketDetailView


class TicketActionView(TicketDetailView):
    """`actions` maps an action name to a method act_*(ticket) returning None on success, or a dict of bound
    forms / {"error": text} to show again (HTTP 400). A kind adds its own: {**TicketActionView.actions, ...};
    every action but those in `requester_actions` is for service desk staff only."""

    http_method_names = ["post"]
    actions = {"assign-me": "act_assign_me", "reassign": "act_reassign", "transition": "act_transition",
               "reply": "act_reply", "note": "act_note", "attach": "act_attach", "link": "act_link",
               "timeline-order": "act_timeline_order"}
    requester_actions = frozenset({"transition", "reply", "attach", "timeline-order"})  # checked in the act_*

    def post(self, request, pk, name):
        ticket = self.get_ticket(pk)
        method = self.actions.get(name)
        if method is None:
            raise PermissionDenied
        if name not in self.requester_actions:
            self.require_agent()
        try:
            bound = getattr(self, method)(ticket)
        except core_services.PermissionDeniedError as exc:
            raise PermissionDenied(str(exc))
        except core_services.ConflictError:
            bound = {"error": _("Someone else changed this %(kind)s meanwhile. The page now shows the current "
                                "version; please try again.") % {"kind": self.ticket_kind.label}}
        if bound:
            return self.render_ticket(self.get_ticket(pk), bound, status=400)
        if request.htmx:
            return self.render_ticket(self.get_ticket(pk))
        return redirect(self.ticket_kind.url("detail", pk))

    # --- helpers for act_* methods -------------------------------------------------------------

    def run_form(self, key, form, write):
        """Validate `form` and call write(cleaned_data); an invalid form, or the service's ValidationError on
        its fields, is shown again under `key`."""
        if not form.is_valid():
            return {key: form}
        try:
            write(form.cleaned_data)
        except ValidationError as exc:
            return {key: form_errors_from(form, exc)}
        return None

    def run_versioned_form(self, key, form, write, put_errors=form_errors_from):
        """Validate `form` (a core.ticket_forms.TicketPartForm) and call write(changes, version). After a
        conflict the user's input is shown again under `key` at the current version (saving again applies it);
        the service's ValidationError or TransitionError goes on the form through put_errors(form, exc)."""
        if not form.is_valid():
            return {key: form}
        try:
            write(form.changes(), form.cleaned_data["version"])
        except core_services.ConflictError as exc:
            form.add_error(None, self.conflict_message())
            return {key: form.at_version(exc.current_version)}
        except (ValidationError, TransitionError) as exc:
            return {key: put_errors(form, exc)}
        return None

    def conflict_message(self):
        return _("Someone else changed this %(kind)s meanwhile. Your input is kept below; the page shows the "
                 "current version. Save again to apply your input.") % {"kind": self.ticket_kind.label}

    def run_service(self, write, success=None):
        """Call write(); its ValidationError is the page's error, else `success(result)` is flashed (if given)."""
        try:
            result = write()
        except ValidationError as exc:
            return {"error": " ".join(exc.messages)}
        if success is not None:
            messages.success(self.request, success(result))
        return None

    # --- the actions ----------------------------------------------------------------------------

    def act_assign_me(self, ticket):
        user = self.request.user
        team = assignment.team_for_assignee(ticket, user)
        return self.run_service(lambda: core_services.assign(ticket, user, team=team, assignee=user))

    def act_reassign(self, ticket):
        return self.run_form("reassign", ReassignForm(self.request.POST), lambda data: core_services.update_ticket(
            ticket, self.request.user, {"team": data["team"], "assignee": data["assignee"]},
            expected_version=data["version"]))

    def act_transition(self, ticket):
        to = self.request.POST.get("to", "")
        transition = self.ticket_kind.workflow.get(ticket.state, to)
        if transition is None:
            return {"error": _("This %(kind)s cannot move to that state now; the page shows what is possible.")
                    % {"kind": self.ticket_kind.label}}
        form = self.transition_form(ticket, transition, data=self.request.POST)
        if not form.is_valid():
            return {"transition": form}
        try:
            self.transition_service(ticket, to, form.transition_data(), expected_version=form.cleaned_data["version"],
                                    comment=form.cleaned_data.get("comment", ""), **form.service_kwargs())
        except TransitionError as exc:
            for field_name, errors in exc.errors.items():
                form.add_error(field_name if field_name in form.fields else None, errors)
            return {"transition": form}
        except ValidationError as exc:
            return {"transition": form_errors_from(form, exc)}
        return None

    def act_reply(self, ticket):
        """A reply the requester sees (requesters reply on their own tickets too)."""
        if not permissions.can_comment(self.request.user, ticket):
            raise PermissionDenied
        return self._comment(ticket, ReplyForm(self.request.POST), "reply", internal=False)

    def act_note(self, ticket):
        """An internal work note: staff only, so nothing internal can be sent from the reply form."""
        return self._comment(ticket, NoteForm(self.request.POST), "note", internal=True)

    def _comment(self, ticket, form, key, internal):
        return self.run_form(key, form, lambda data: core_services.add_comment(
            ticket, self.request.user, data["body"], internal=internal))

    def act_attach(self, ticket):
        staff = permissions.can_see_internal(self.request.user)
        if not permissions.can_comment(self.request.user, ticket):
            raise PermissionDenied
        form = AttachmentForm(self.request.POST, self.request.FILES, staff=staff)
        return self.run_form("attach", form, lambda data: core_services.add_attachment(
            ticket, self.request.user, data["file"], internal=data.get("internal", False)))

    def act_link(self, ticket):
        form = LinkForm(self.request.POST)
        return self.run_form("link", form, lambda data: core_services.add_link(
            ticket, self.request.user, form.target, data["kind"]))

    def act_timeline_order(self, ticket):
        """Newest or oldest first, remembered in the user's profile."""
        try:
            account_services.set_timeline_order(self.request.user, self.request.POST.get("order", ""))
        except ValidationError as exc:
            return {"error": " ".join(exc.messages)}
        self.request.user._state.fields_cache.pop("profile", None)  # re-read the saved preference
        return None
