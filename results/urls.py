from django.urls import path

from . import views

app_name = "results"

urlpatterns = [
    path("<slug:slug>/", views.race_page, name="race"),
]
