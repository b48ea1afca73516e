"""Root URL configuration: the shell, each process app under /<app>/, the API under /api/v1/."""

from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from . import views
from .ui.views import public

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("profile/", views.profile, name="profile"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/setlang/", public(set_language), name="set_language"),
    path("", include("itsm.urls_core")),
    path("incidents/", include("incidents.urls")),
    path("portal/", include("incidents.portal_urls")),
    path("problems/", include("problems.urls")),
    path("changes/", include("changes.urls")),
    path("releases/", include("releases.urls")),
    path("configuration/", include("configuration.urls")),
    path("service-levels/", include("service_levels.urls")),
    path("suppliers/", include("suppliers.urls")),
    path("audits/", include("audits.urls")),
    path("api/v1/", include("itsm.api.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "itsm.views.bad_request"
handler403 = "itsm.views.permission_denied"
handler404 = "itsm.views.page_not_found"
handler500 = "itsm.views.server_error"
