from rest_framework.routers import SimpleRouter

from apps.alerts.api import views

router = SimpleRouter()
router.register("alerts", views.AlertViewSet)
router.register("escalation-policies", views.EscalationPolicyViewSet)
urlpatterns = router.urls
