"""A ticket escalates by itself when its resolution target is at risk (E-3):
the first warning of its user-service or SLA-resolution clock raises level 1,
the second level 2, the breach level 3."""

from django.dispatch import receiver
from django.utils.translation import gettext as _

from spbe.clocks.choices import ClockEventKind, ClockKind
from spbe.clocks.signals import clock_events
from spbe.desk import actions
from spbe.desk.choices import OPEN_STATUSES, TimelineKind
from spbe.desk.hooks import reporter_mail, reporter_told  # noqa: F401  (where the channels look for them)
from spbe.desk.models import Ticket

RESOLUTION_CLOCKS = {ClockKind.USER_SERVICE, ClockKind.SLA_RESOLUTION}


def level_for(clock, event) -> int:
    if event.kind == ClockEventKind.BREACHED:
        return 3
    return 1 + clock.warning_thresholds.index(event.threshold) if event.threshold in clock.warning_thresholds else 1


@receiver(clock_events)
def escalate_on_risk(sender, clock, events, **kwargs) -> None:
    ticket = clock.owner
    if not isinstance(ticket, Ticket):
        return
    for event in events:
        label = _("%(clock)s: %(event)s") % {"clock": clock.get_kind_display(), "event": event.get_kind_display()}
        if event.threshold:
            label += f" ({event.threshold} %)"
        actions.note(ticket, TimelineKind.CLOCK, None, label, at=event.at, public=False, clock=clock.pk)
        if clock.kind in RESOLUTION_CLOCKS and ticket.status in OPEN_STATUSES:
            level = min(level_for(clock, event), 3)
            actions.escalate(None, ticket, level, label, automatic=True)
