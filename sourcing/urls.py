"""Buying request pages (included at the site root, under /requests/)."""

from django.urls import path

from . import views

app_name = "sourcing"

urlpatterns = [
    path("requests/", views.board, name="board"),
    path("requests/mine/", views.mine, name="mine"),
    path("requests/new/", views.new, name="new"),
    path("requests/review/", views.review, name="review"),
    path("requests/<int:pk>/", views.detail, name="detail"),
    path("requests/<int:pk>/edit/", views.edit, name="edit"),
    path("requests/<int:pk>/approve/", views.approve, name="approve"),
    path("requests/<int:pk>/return/", views.return_to_buyer, name="return"),
    path("requests/<int:pk>/close/", views.close, name="close"),
]
