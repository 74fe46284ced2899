from django.contrib.auth import views as auth_views
from django.urls import path

from . import approval_views, notification_views, search_views, views, workspace_views
from .ticket_views.detail import ticket_panel

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("search/", search_views.search_page, name="search"),
    path("profile/", views.profile, name="profile"),
    path("profile/tokens/", views.token_create, name="token_create"),
    path("profile/tokens/<id:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("profile/notifications/", notification_views.notification_preferences,
         name="notification_preferences"),
    path("profile/delegations/", approval_views.delegation_create, name="approval_delegation_create"),
    path("profile/delegations/<id:pk>/delete/", approval_views.delegation_delete, name="approval_delegation_delete"),
    path("approvals/<id:pk>/approve/", approval_views.approval_approve, name="approval_approve"),
    path("approvals/<id:pk>/reject/", approval_views.approval_reject, name="approval_reject"),
    path("notifications/", notification_views.notification_list, name="notification_list"),
    path("notifications/read-all/", notification_views.notification_read_all, name="notification_read_all"),
    path("notifications/<id:pk>/read/", notification_views.notification_read, name="notification_read"),
    path("tickets/<id:pk>/watch/", notification_views.ticket_watch, name="ticket_watch"),
    path("tickets/<id:pk>/panels/<int:order>/", ticket_panel, name="ticket_panel"),
    path("filters/", views.saved_filter_save, name="saved_filter_save"),
    path("filters/<id:pk>/delete/", views.saved_filter_delete, name="saved_filter_delete"),
    path("triage/", workspace_views.triage, name="triage"),
    path("tickets/bulk/", workspace_views.ticket_bulk, name="ticket_bulk"),
    path("teams/<id:pk>/agents/", views.team_agents, name="team_agents"),
    path("attachments/<id:pk>/", views.attachment_download, name="attachment_download"),
]
