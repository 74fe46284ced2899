from core.ticket_views import KindViews, ticket_urls

from . import views

app_name = "requests"
urlpatterns = ticket_urls(KindViews("request", list=views.RequestListView, create=views.RequestCreateView,
                                    detail=views.RequestDetailView, action=views.RequestActionView))
