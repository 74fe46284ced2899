from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import FileResponse, Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import account_services, permissions, ui, uploads
from .forms import ApiTokenForm, ProfileForm, ReportProblemForm
from .models import ApiToken, Attachment, SavedFilter, Team, Ticket


def healthz(request):
    return JsonResponse({"status": "ok"})


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


def _rows(queryset, ordering=("priority", "-id")):
    rows = list(queryset.select_related(*ROW_RELATED).order_by(*ordering)[:HOME_LIST_SIZE])
    for row in rows:
        row.url = ui.ticket_url(row)
        row.state_text = str(ui.state_label(row))
    return rows


def _table(rows):
    return ui.rows_html(rows, TICKET_COLUMNS, _("Nothing here."))


@login_required
def home(request):
    user = request.user
    if not permissions.is_agent(user):
        return portal(request)
    my_teams = list(Team.members.through.objects.filter(user_id=user.pk).values_list("team_id", flat=True))
    teams_query = urlencode([("team", pk) for pk in my_teams] + [("open", "true")])
    open_tickets = Ticket.objects.filter(ui.open_tickets_q())
    sections = [
        (_("Assigned to me"), "assigned", _rows(open_tickets.filter(assignee=user)), "assignee=me&open=true"),
        (_("My teams' open work"), "teams", _rows(open_tickets.filter(team_id__in=my_teams)), teams_query),
        (_("Unassigned in my teams"), "unassigned",
         _rows(open_tickets.filter(team_id__in=my_teams, assignee__isnull=True)), f"{teams_query}&assignee=none"),
    ]
    sections = [(title, key, rows, query, _table(rows)) for title, key, rows, query in sections]
    return render(request, "core/my_work.html", {"sections": sections})


def portal(request, report_form=None, status=200):
    """The requester's start page: their tickets and a short form to report a problem."""
    rows = _rows(permissions.visible_tickets(request.user, Ticket.objects.all()), ordering=("-id",))
    return render(request, "core/portal.html", {
        "rows": rows, "rows_html": _table(rows), "report_form": report_form or ReportProblemForm()}, status=status)


def _safe_next(request, fallback):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return fallback


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


def _profile_page(request, form=None, token_form=None, status=200):
    new_key = request.session.pop(NEW_KEY_SESSION, None)
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created_at")
    if form is None:
        current = account_services.profile_for(request.user)
        form = ProfileForm(initial={"timezone": current.timezone, "language": current.language,
                                    "phone": current.phone})
    return render(request, "core/profile.html", {
        "form": form, "token_form": token_form or ApiTokenForm(), "tokens": tokens, "new_key": new_key,
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
    kind = request.POST.get("kind", "")[:20]
    name = (request.POST.get("name") or "").strip()[:100]
    target = _safe_next(request, "/")
    if not name:
        messages.error(request, _("Give the filter a name."))
        return HttpResponseRedirect(target)
    account_services.save_filter(request.user, kind, name, request.POST.get("query", ""))
    messages.success(request, _("Filter “%(name)s” saved.") % {"name": name})
    return HttpResponseRedirect(target)


@login_required
@require_POST
def saved_filter_delete(request, pk):
    get_object_or_404(SavedFilter, pk=pk, user=request.user)
    account_services.delete_filter(request.user, pk)
    messages.success(request, _("The saved filter was deleted."))
    return HttpResponseRedirect(_safe_next(request, "/"))


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
