"""URL map: admin, pages, the versioned API, its schema and docs, the health check."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from apps.alerts.api.urls import router as alerts_router
from apps.coaching.api.urls import router as coaching_router
from apps.consent.api.urls import router as consent_router
from apps.core import views as core_views
from apps.crm.api.urls import router as crm_router
from apps.monitoring.api.urls import router as monitoring_router
from apps.responses.api.urls import router as responses_router
from apps.scoring.api.urls import router as scoring_router
from apps.scoring.api.urls import urlpatterns as scoring_urls
from apps.sources.api.urls import router as sources_router
from apps.sources.api.urls import urlpatterns as sources_urls
from apps.validation.api.urls import router as validation_router

# One router for the whole API, so /api/v1/ lists every app's endpoints; each app owns its registry.
api_router = DefaultRouter()
for app_router in (
    crm_router,
    sources_router,
    scoring_router,
    consent_router,
    alerts_router,
    responses_router,
    coaching_router,
    validation_router,
    monitoring_router,
):
    api_router.registry.extend(app_router.registry)

api_v1 = [
    path("", include(api_router.urls)),
    path("auth/token/", obtain_auth_token, name="token"),
    *scoring_urls,
    *sources_urls,
]

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("demo/survey/", core_views.demo_survey, name="demo-survey"),
    path("privacy/", include("apps.consent.urls")),
    path("admin/", admin.site.urls),
    path("purpose/", include("apps.governance.urls")),
    path("crm/", include("apps.crm.urls")),
    path("alerts/", include("apps.alerts.urls")),
    path("responses/", include("apps.responses.urls")),
    path("coaching/", include("apps.coaching.urls")),
    path("validation/", include("apps.validation.urls")),
    path("monitoring/", include("apps.monitoring.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/v1/", include((api_v1, "v1"), namespace="v1")),
    path("api/schema/", SpectacularAPIView.as_view(api_version="v1"), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
]
