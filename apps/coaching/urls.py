"""The coaching pages, under ``/coaching/``."""

from django.urls import path

from apps.coaching import views

app_name = "coaching"

urlpatterns = [
    path("", views.index, name="index"),
    path("agents/<int:pk>/", views.agent_detail, name="agent"),
    path("reviews/new/", views.review_new, name="review-new"),
    path("reviews/<int:pk>/", views.review_detail, name="review"),
    path("reviews/<int:pk>/edit/", views.review_edit, name="review-edit"),
    path("reviews/<int:pk>/<slug:verb>/", views.review_act, name="review-act"),
    path("teams/<int:pk>/review/", views.team_review, name="team-review"),
    path("team-reviews/<int:pk>/<slug:verb>/", views.team_review_act, name="team-review-act"),
]
