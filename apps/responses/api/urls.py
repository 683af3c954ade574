from rest_framework.routers import SimpleRouter

from apps.responses.api import views

router = SimpleRouter()
router.register("response-templates", views.ResponseTemplateViewSet)
router.register("template-usages", views.TemplateUsageViewSet)
urlpatterns = router.urls
