from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from qmss.api import api
from qmss.core import views as core_views

admin.site.site_header = "QMSS"
admin.site.site_title = "QMSS"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("ucet/", include("qmss.core.urls_accounts")),
    path("", include("qmss.core.urls")),
    path("uzemi/", include("qmss.territory.urls")),
    path("ramce/", include("qmss.frameworks.urls")),
    path("registr/", include("qmss.registry.urls")),
    path("overeni-registrace/", include("qmss.registry.urls_public")),
    path("hodnoceni/", include("qmss.assessments.urls")),
    path("rozvoj/", include("qmss.improvement.urls")),
    path("potreby/", include("qmss.needs.urls")),
    path("sit/", include("qmss.network.urls")),
    path("financovani/", include("qmss.financing.urls")),
    path("api/v1/", api.urls),
    path("", include("qmss.portal.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "qmss.core.views.bad_request"
handler403 = "qmss.core.views.permission_denied"
handler404 = "qmss.core.views.page_not_found"
handler500 = "qmss.core.views.server_error"

# Uploaded files (evidence, registry imports) are never served from MEDIA_URL, not even in DEBUG:
# evidence files go through permission-checked views only.
