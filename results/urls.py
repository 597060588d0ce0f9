from django.urls import path

from . import views

app_name = "results"

urlpatterns = [
    path("<slug:slug>/", views.race_page, name="race"),
    path("<slug:slug>/live/", views.race_live, name="race_live"),
]
