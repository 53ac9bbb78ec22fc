from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, re_path
from django.views.i18n import set_language

from portal import views
from portal.selectors import TOKEN_PREFIX_PATTERN

urlpatterns = [
    path("", views.home, name="home"),
    path("health", views.health, name="health"),
    path("activity/", views.activity, name="activity"),
    path("jobs/", views.jobs, name="jobs"),
    path("profile/", views.profile, name="profile"),
    path("notifications/", views.notification_list, name="notification-list"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification-read"),
    path("notifications/read-all/", views.notification_read_all, name="notification-read-all"),
    path("notifications/preferences/", views.notification_preferences, name="notification-preferences"),
    path(
        "notifications/unsubscribe/<str:token>/",
        views.notification_unsubscribe,
        name="notification-unsubscribe",
    ),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/tokens/", views.api_tokens, name="api-tokens"),
    path("accounts/tokens/revoke-all/", views.api_tokens_revoke_all, name="api-tokens-revoke-all"),
    re_path(
        rf"^accounts/tokens/(?P<prefix>{TOKEN_PREFIX_PATTERN})/revoke/$",
        views.api_token_revoke,
        name="api-token-revoke",
    ),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("procurement/", include("procurement.urls")),
    path("pledges/", include("pledges.urls")),
    path("api/pledges/", include("pledges.api.urls")),
    path("boards/", include("boards.urls")),
    path("standards/", include("standards.urls")),
    path("api/standards/", include("standards.api.urls")),
    path("api/boards/", include("boards.api.urls")),
    # The import endpoint comes before the router, whose detail routes would swallow "import/".
    path("api/procurement/deliveries/import/", include("procurement.api.import_urls")),
    path("api/procurement/", include("procurement.api.urls")),
    path("api/", include("portal.api.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "portal.views.bad_request"
handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"

admin.site.site_header = "NATO Defence Production Portal"
admin.site.site_title = "Portal admin"
