"""What the desk tells a reporter who wrote by chat goes back to their chat
(issue 15): the desk's ``reporter_told`` hook, connected in ``ChatConfig.ready``."""

from django.conf import settings
from django.utils import translation

from spbe.chat import actions


def reply_in_chat(sender, ticket, key, subject, text, **kwargs) -> None:
    with translation.override(settings.LANGUAGE_CODE):  # the citizen's language, not the agent's UI
        actions.reporter_told(ticket, key, subject, text)
