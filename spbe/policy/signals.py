"""Keep ``Pemda.calendar_revision`` moving with every calendar change, however
it is made (pages, admin, data migrations)."""

from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from spbe.org.models import Pemda
from spbe.policy.models import HolidayChange, SpecialPeriod


@receiver([post_save, post_delete], sender=HolidayChange)
@receiver([post_save, post_delete], sender=SpecialPeriod)
def bump_calendar_revision(sender, instance, **kwargs) -> None:
    Pemda.objects.filter(pk=instance.pemda_id).update(calendar_revision=F("calendar_revision") + 1)
