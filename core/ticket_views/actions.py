"""The ticket page's inline actions: POST {ns}:action <pk> <name>. Every write goes through the services."""

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
    forms / {"error": text} to show again (HTTP 400). A kind adds its own: {**TicketActionView.actions, ...}."""

    http_method_names = ["post"]
    actions = {"assign-me": "act_assign_me", "reassign": "act_reassign", "transition": "act_transition",
               "reply": "act_reply", "note": "act_note", "attach": "act_attach", "link": "act_link",
               "timeline-order": "act_timeline_order"}

    def post(self, request, pk, name):
        ticket = self.get_ticket(pk)
        method = self.actions.get(name)
        if method is None:
            raise PermissionDenied
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

    def act_assign_me(self, ticket):
        self.require_agent()
        user = self.request.user
        team = assignment.team_for_assignee(ticket, user)
        try:
            core_services.assign(ticket, user, team=team, assignee=user)
        except ValidationError as exc:
            return {"error": " ".join(exc.messages)}
        return None

    def act_reassign(self, ticket):
        self.require_agent()
        form = ReassignForm(self.request.POST)
        if not form.is_valid():
            return {"reassign": form}
        data = form.cleaned_data
        try:
            core_services.update_ticket(ticket, self.request.user, {"team": data["team"],
                                                                    "assignee": data["assignee"]},
                                        expected_version=data["version"])
        except ValidationError as exc:
            return {"reassign": form_errors_from(form, exc)}
        return None

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
        self.require_agent()
        return self._comment(ticket, NoteForm(self.request.POST), "note", internal=True)

    def _comment(self, ticket, form, key, internal):
        if not form.is_valid():
            return {key: form}
        try:
            core_services.add_comment(ticket, self.request.user, form.cleaned_data["body"], internal=internal)
        except ValidationError as exc:
            return {key: form_errors_from(form, exc)}
        return None

    def act_attach(self, ticket):
        staff = permissions.can_see_internal(self.request.user)
        if not permissions.can_comment(self.request.user, ticket):
            raise PermissionDenied
        form = AttachmentForm(self.request.POST, self.request.FILES, staff=staff)
        if not form.is_valid():
            return {"attach": form}
        try:
            core_services.add_attachment(ticket, self.request.user, form.cleaned_data["file"],
                                         internal=form.cleaned_data.get("internal", False))
        except ValidationError as exc:
            return {"attach": form_errors_from(form, exc)}
        return None

    def act_link(self, ticket):
        self.require_agent()
        form = LinkForm(self.request.POST)
        if not form.is_valid():
            return {"link": form}
        try:
            core_services.add_link(ticket, self.request.user, form.target, form.cleaned_data["kind"])
        except ValidationError as exc:
            return {"link": form_errors_from(form, exc)}
        return None

    def act_timeline_order(self, ticket):
        """Newest or oldest first, remembered in the user's profile."""
        try:
            account_services.set_timeline_order(self.request.user, self.request.POST.get("order", ""))
        except ValidationError as exc:
            return {"error": " ".join(exc.messages)}
        self.request.user._state.fields_cache.pop("profile", None)  # re-read the saved preference
        return None
