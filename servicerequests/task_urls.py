from core.ticket_views import KindViews, ticket_urls

from . import views

app_name = "tasks"
urlpatterns = ticket_urls(KindViews("task", list=views.TaskListView, create=views.TaskCreateView,
                                    detail=views.TaskDetailView, action=views.TaskActionView))
