"""Permission fixes for wagtail-modeladmin views of the AMI menu."""
from __future__ import annotations

from wagtail_modeladmin.views import HistoryView


class GuardedHistoryView(HistoryView):
    """wagtail-modeladmin 2.x lets any admin user open an object's history (its check always says
    yes): the history of an AMI object is shown only to whoever may list that model."""

    def check_action_permitted(self, user):
        return self.permission_helper.user_can_list(user)
