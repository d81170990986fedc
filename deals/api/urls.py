from django.urls import path

from . import messages

urlpatterns = [
    path("matches/<int:pk>/messages/", messages.MatchMessagesView.as_view(), name="match-messages"),
    path(
        "matches/<int:pk>/messages/read/",
        messages.MatchMessagesReadView.as_view(),
        name="match-messages-read",
    ),
]
