from core.ticket_views import KindViews, ticket_urls

app_name = "improvement"
urlpatterns = ticket_urls(KindViews("improvement"))
