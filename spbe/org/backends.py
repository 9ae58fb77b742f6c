"""How a signed-in person is loaded on each request."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class AccountBackend(ModelBackend):
    """Django's ModelBackend, but the person's Pemda comes in the same query:
    every page needs it (its time zone, the navigation), and a second round
    trip on every request and API call was a measurable share of the queue's
    time (issue 5, Speed)."""

    def get_user(self, user_id):
        model = get_user_model()
        try:
            user = model._default_manager.select_related("pemda").get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
