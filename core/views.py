from django.conf import settings
from django.templatetags.static import static
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import FileResponse, Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import account_services, approval_views, hooks, permissions, queries, ui, uploads
from .forms import ApiTokenForm, NotificationPreferencesForm, ProfileForm, ReportProblemForm, SavedViewForm
from .models import ApiToken, Attachment, SavedFilter, Ticket


def healthz(request):
    return JsonResponse({"status": "ok"})


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links: send them to the static icon."""
    response = HttpResponseRedirect(static("favicon.ico"))
    response["Cache-Control"] = "public, max-age=86400"
    return response


def readyz(request):
    """Ready when the database and the broker answer; 503 naming what is down."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means not ready
        checks["database"] = f"down: {exc.__class__.__name__}"
    try:
        from itsm.celery import app

        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        checks["broker"] = "ok"
    except Exception as exc:  # noqa: BLE001
        checks["broker"] = f"down: {exc.__class__.__name__}"
    ready = all(v == "ok" for v in checks.values())
    return JsonResponse({"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503)


# --- the server-rendered UI ---------------------------------------------------------------------


HOME_LIST_SIZE = 25
NEW_KEY_SESSION = "new_api_token"
ROW_RELATED = ("team", "assignee")


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


TICKET_COLUMNS = ui.ticket_columns("number", "title", "state", "priority", "team", "assignee", "updated")
WORK_COLUMNS = ui.ticket_columns("number", "title", "state", "priority", "team", "assignee", "sla_due", "updated")


def _rows(queryset, ordering=("priority", "-id")):
    return ui.prepare_rows(list(queryset.select_related(*ROW_RELATED).order_by(*ordering)[:HOME_LIST_SIZE]))


def _table(rows, columns=TICKET_COLUMNS):
    return ui.rows_html(rows, columns, _("Nothing here."))


@login_required
def home(request):
    """My work: open tickets of every kind assigned to me, my teams' work and what nobody in them has taken,
    each bounded and sorted by SLA due (then priority), with SLA badges."""
    user = request.user
    if not permissions.is_agent(user):
        return portal(request)
    my_teams = queries.team_ids(user)
    teams_query = urlencode([("team", pk) for pk in my_teams] + [("open", "true")])
    urgent = ("triage_due", "priority", "-id")

    def rows(queryset):
        return _rows(queries.with_due_order(queryset), ordering=urgent)

    sections = [
        (_("Assigned to me"), "assigned", rows(queries.assigned_to(user)), "assignee=me&open=true"),
        (_("Unassigned in my teams"), "unassigned", rows(queries.unassigned_in_teams(user, my_teams)),
         f"{teams_query}&assignee=none"),
        (_("My teams' open work"), "teams", rows(queries.in_teams(user, my_teams)), teams_query),
    ]
    sections = [(title, key, rows, query, _table(rows, WORK_COLUMNS)) for title, key, rows, query in sections]
    return render(request, "core/my_work.html", {"sections": sections, "list_size": HOME_LIST_SIZE,
                                                 **approval_views.waiting_context(user)})


def portal(request, report_form=None, status=200):
    """The requester's start page: the self-service portal a practice registers (hooks.requester_home), else
    the plain one below. Pages that show the "report a problem" form again (its errors, knowledge answers)
    come here too."""
    for requester_home in hooks.requester_home:
        return requester_home(request, report_form=report_form, status=status)
    return plain_portal(request, report_form=report_form, status=status)


def plain_portal(request, report_form=None, status=200):
    """Without a registered portal: the requester's tickets and a short form to report a problem."""
    rows = _rows(permissions.visible_tickets(request.user, Ticket.objects.all()), ordering=("-id",))
    report_form = report_form or ReportProblemForm()
    return render(request, "core/portal.html", {
        "rows": rows, "rows_html": _table(rows), "report_form": report_form,
        "report_extras": ui.render_portal_report_extras(request, report_form)}, status=status)


@login_required
def profile(request):
    current = account_services.profile_for(request.user)
    form = ProfileForm(request.POST or None, initial={"timezone": current.timezone, "language": current.language,
                                                       "phone": current.phone})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        account_services.update_profile(request.user, data["timezone"], data["language"], data["phone"])
        messages.success(request, _("Your profile was saved."))
        response = redirect("profile")
        if data["language"]:
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, data["language"])
        return response
    return _profile_page(request, form=form, status=400 if form.errors else 200)


def _profile_page(request, form=None, token_form=None, delegation_form=None, status=200):
    new_key = request.session.pop(NEW_KEY_SESSION, None)
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created_at")
    if form is None:
        current = account_services.profile_for(request.user)
        form = ProfileForm(initial={"timezone": current.timezone, "language": current.language,
                                    "phone": current.phone})
    return render(request, "core/profile.html", {
        "form": form, "token_form": token_form or ApiTokenForm(), "tokens": tokens, "new_key": new_key,
        "notification_form": NotificationPreferencesForm(table=account_services.preference_table(request.user)),
        **approval_views.delegation_context(request.user, delegation_form),
    }, status=status)


@login_required
@require_POST
def token_create(request):
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return _profile_page(request, token_form=form, status=400)
    token, key = account_services.create_token(request.user, form.cleaned_data["name"], form.expires_at())
    # Shown once on the next page (post/redirect/get, so a reload creates nothing), then forgotten.
    request.session[NEW_KEY_SESSION] = {"name": token.name, "key": key}
    return redirect("profile")


@login_required
@require_POST
def token_revoke(request, pk):
    if account_services.revoke_token(request.user, pk):
        messages.success(request, _("The token was revoked."))
    return redirect("profile")


@login_required
@require_POST
def saved_filter_save(request):
    """Save the list's current query string as a view (personal, or shared with one of my teams)."""
    form = SavedViewForm(request.POST, user=request.user)
    target = ui.safe_next(request, "/")
    if not form.is_valid():
        return render(request, "core/action_error.html", {
            "title": _("The view was not saved"), "errors": form.errors, "next": target}, status=400)
    data = form.cleaned_data
    account_services.save_filter(request.user, data["kind"], data["name"], data["query"], team=data["team"])
    messages.success(request, _("View “%(name)s” saved.") % {"name": data["name"]})
    return HttpResponseRedirect(target)


@login_required
@require_POST
def saved_filter_delete(request, pk):
    get_object_or_404(SavedFilter, pk=pk, user=request.user)
    account_services.delete_filter(request.user, pk)
    messages.success(request, _("The saved view was deleted."))
    return HttpResponseRedirect(ui.safe_next(request, "/"))


@login_required
def team_agents(request, pk):
    """<option>s of the agents of a team, for the reassign form's second drop-down."""
    if not permissions.is_agent(request.user):
        raise Http404
    users = get_user_model().objects.filter(teams__pk=pk, is_active=True).order_by("first_name", "username")
    return render(request, "components/agent_options.html", {"agents": users})


@login_required
def attachment_download(request, pk):
    attachment = get_object_or_404(Attachment.objects.select_related("ticket"), pk=pk)
    if not permissions.can_view(request.user, attachment.ticket) or (
            attachment.is_internal and not permissions.can_see_internal(request.user)):
        raise Http404
    response = FileResponse(attachment.file.open("rb"), content_type=uploads.served_type(attachment.content_type))
    response["Content-Disposition"] = uploads.content_disposition(attachment.filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response
