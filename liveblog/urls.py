from django.urls import path

from . import views

app_name = "liveblog"

urlpatterns = [
    path("live/<slug:slug>/", views.blog_page, name="blog"),
    path("live/<slug:slug>/posts/<int:pk>/", views.post_page, name="post"),
]
