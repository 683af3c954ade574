from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.scoring.api import views

router = SimpleRouter()
router.register("scores", views.EmotionScoreViewSet)
urlpatterns = [path("score", views.ScoreTextView.as_view(), name="score-text")]
