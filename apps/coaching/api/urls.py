from rest_framework.routers import SimpleRouter

from apps.coaching.api import views

router = SimpleRouter()
router.register("coaching/agents", views.AgentViewSet, basename="coaching-agent")
router.register("coaching-reviews", views.CoachingReviewViewSet, basename="coaching-review")
urlpatterns = router.urls
