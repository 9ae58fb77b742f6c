"""The RTO clock's warnings and breach go on the recovery's timeline (O-5),
the clocks knowing nothing of recoveries."""

from django.dispatch import receiver
from django.utils.translation import gettext as _

from spbe.clocks.signals import clock_events
from spbe.continuity.choices import EventKind
from spbe.continuity.models import Recovery, RecoveryEvent


@receiver(clock_events)
def note_rto_clock(sender, clock, events, **kwargs) -> None:
    recovery = clock.owner
    if not isinstance(recovery, Recovery):
        return
    for clock_event in events:
        label = _("Jam RTO: %(event)s") % {"event": clock_event.get_kind_display()}
        if clock_event.threshold:
            label += f" ({clock_event.threshold} %)"
        RecoveryEvent.objects.create(recovery=recovery, kind=EventKind.CLOCK, message=label, at=clock_event.at,
                                     data={"clock": clock.pk})  # fmt: skip
