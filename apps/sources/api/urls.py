from rest_framework.routers import SimpleRouter

from apps.sources.api import views

router = SimpleRouter()
router.register("sources", views.SourceViewSet)
router.register("messages", views.MessageViewSet)
router.register("dead-letters", views.DeadLetterViewSet)
urlpatterns = router.urls
