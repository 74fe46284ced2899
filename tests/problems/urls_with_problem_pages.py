"""The site's URLs, plus a stand-in `problems:detail` while the problem pages are not mounted (this branch is
built beside them); once they are, this is the site's URLconf unchanged."""

from django.http import HttpResponse
from django.urls import include, path

from itsm.urls import urlpatterns as site

urlpatterns = list(site)
if not any(getattr(entry, "namespace", None) == "problems" for entry in site):
    urlpatterns.append(path("problems/", include(([path("<id:pk>/", lambda request, pk: HttpResponse(str(pk)),
                                                         name="detail")], "problems"))))
