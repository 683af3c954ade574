from django.urls import path

from apps.governance import views

app_name = "governance"
urlpatterns = [path("", views.choose_purpose, name="choose-purpose")]
