from rest_framework.routers import SimpleRouter

from apps.consent.api import views

router = SimpleRouter()
router.register("consent-records", views.ConsentRecordViewSet)
