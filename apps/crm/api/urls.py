from rest_framework.routers import SimpleRouter

from apps.crm.api import views

router = SimpleRouter()
router.register("segments", views.SegmentViewSet)
router.register("accounts", views.AccountViewSet)
router.register("accounts", views.AccountEmotionContextViewSet, basename="account-context")
router.register("contacts", views.ContactViewSet)
urlpatterns = router.urls
