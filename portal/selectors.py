from django.contrib.auth import get_user_model

from accounts.models import Role


def portal_figures() -> dict[str, int]:
    """Head counts shown on the home page, in one query."""
    from django.db.models import Count, Q

    users = get_user_model().objects.filter(is_active=True)
    return users.aggregate(
        producers=Count("pk", filter=Q(role=Role.PRODUCER)),
        buyers=Count("pk", filter=Q(role=Role.BUYER)),
        counsellors=Count("pk", filter=Q(role=Role.COUNSELLOR)),
    )
