from django.urls import path

from . import message_views, views

app_name = "mailchannel"
urlpatterns = [
    path("mailboxes/", views.mailbox_list, name="mailboxes"),
    path("mailboxes/new/", views.mailbox_create, name="mailbox-create"),
    path("mailboxes/read-now/", views.read_now, name="read-now"),
    path("mailboxes/<id:pk>/", views.mailbox_edit, name="mailbox-edit"),
    path("mailboxes/<id:pk>/test/", views.mailbox_test, name="mailbox-test"),
    path("mailboxes/<id:pk>/delete/", views.mailbox_delete, name="mailbox-delete"),
    path("domains/", views.domain_list, name="domains"),
    path("domains/<id:pk>/delete/", views.domain_delete, name="domain-delete"),
    path("messages/", message_views.message_list, name="messages"),
    path("held/", message_views.held_list, name="held"),
    path("messages/<id:pk>/retry/", message_views.message_retry, name="message-retry"),
    path("messages/<id:pk>/discard/", message_views.message_discard, name="message-discard"),
    path("messages/<id:pk>/download/", message_views.message_download, name="message-download"),
    path("messages/<id:pk>/as-sent/", message_views.message_as_sent, name="message-as-sent"),
]
