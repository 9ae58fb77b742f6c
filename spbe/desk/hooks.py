"""What other apps may hook into when a ticket's reporter is told something
(issue 15): the mail and chat channels answer on the channel the reporter
used, without the desk knowing them."""

from django.dispatch import Signal

# Sent inside the action's transaction whenever the reporter is told
# something (ticket opened, agent response, question, resolved), with
# ``ticket``, ``key`` (unique per message), ``subject`` and ``text``. The
# chat app queues the same words for the conversation the ticket came from.
reporter_told = Signal()

# Asked, with ``ticket`` and ``opening`` (the ticket is being opened: no
# earlier mail of its thread exists), before an e-mail to the reporter is queued; a
# receiver may answer ``{"from_email": ..., "headers": {...}}`` (the mail
# app: the mailbox the reporter wrote to, and the threading headers).
reporter_mail = Signal()
