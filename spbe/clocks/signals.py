"""Other apps react to clock events (a ticket escalates when its resolution
target is at risk) without the clocks knowing about them."""

from django.dispatch import Signal

#: sent after check_clock recorded events: sender=Clock, clock=…, events=[ClockEvent, …]
clock_events = Signal()
