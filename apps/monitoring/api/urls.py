from rest_framework.routers import SimpleRouter

from apps.monitoring.api import views

router = SimpleRouter()
router.register("account-outcomes", views.AccountOutcomeViewSet)
router.register("drift-reports", views.DriftReportViewSet)
router.register("model-cards", views.ModelCardViewSet, basename="model-card")
router.register("predictive-validity", views.PredictiveValidityViewSet, basename="predictive-validity")
urlpatterns = router.urls
