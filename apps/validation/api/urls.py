from rest_framework.routers import SimpleRouter

from apps.validation.api import views

router = SimpleRouter()
router.register("annotation-batches", views.AnnotationBatchViewSet)
router.register("annotations", views.AnnotationViewSet)
router.register("gold-labels", views.GoldLabelViewSet)
router.register("emotion-feedback", views.EmotionFeedbackViewSet)
router.register("evaluation-runs", views.EvaluationRunViewSet)
router.register("calibration-runs", views.CalibrationRunViewSet)
urlpatterns = router.urls
