from core.ticket_views import KindViews, ticket_urls

from . import views

app_name = "problems"
urlpatterns = ticket_urls(KindViews("problem", create=views.ProblemCreateView, detail=views.ProblemDetailView,
                                    action=views.ProblemActionView))
