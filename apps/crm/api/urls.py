from rest_framework.routers import SimpleRouter

from apps.crm.api import views

router = SimpleRouter()
router.register("segments", views.SegmentViewSet)
router.register("accounts", views.AccountViewSet)
router.register("contacts", views.ContactViewSet)
urlpatterns = router.urls
