"""The match policies as DRF permissions, so a caller who may see a match but not act on it
gets a 403 before its input is checked. The lifecycle services check again under the row lock."""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from matchmaking.interest import can_express_interest
from matchmaking.policies import (
    can_reassign_match,
    can_record_outcome,
    can_request_introduction,
    can_respond_to_match,
    can_review_match,
)


class _MatchPolicy(BasePermission):
    policy = staticmethod(lambda user, match: False)

    def has_object_permission(self, request, view, obj) -> bool:
        return self.policy(request.user, obj)


class MayReviewMatch(_MatchPolicy):
    message = _("You may not review this match.")
    policy = staticmethod(can_review_match)


class MayRespondToMatch(_MatchPolicy):
    message = _("Only the producer and the buyer of a match respond to it.")
    policy = staticmethod(can_respond_to_match)


class MayRecordOutcome(_MatchPolicy):
    message = _("You may not record this match's outcome.")
    policy = staticmethod(can_record_outcome)


class MayReassignMatch(_MatchPolicy):
    message = _("You may not reassign this match.")
    policy = staticmethod(can_reassign_match)


class MayRequestIntroduction(BasePermission):
    message = _("Only buyers request introductions.")

    def has_permission(self, request, view) -> bool:
        return can_request_introduction(request.user)


class MayExpressInterest(BasePermission):
    message = _("Only producers express interest in buying requests.")

    def has_permission(self, request, view) -> bool:
        return can_express_interest(request.user)
