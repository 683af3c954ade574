from rest_framework.routers import SimpleRouter

from apps.consent.api import views

router = SimpleRouter()
router.register("consent-records", views.ConsentRecordViewSet)
# POST /api/v1/opt-outs/
router.register("opt-outs", views.OptOutViewSet, basename="opt-out")
# GET /api/v1/data-subjects/<contact_id>/export/, POST /api/v1/data-subjects/<contact_id>/erase/
router.register("data-subjects", views.DataSubjectViewSet, basename="data-subject")
