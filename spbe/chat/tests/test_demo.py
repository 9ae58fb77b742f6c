"""The demo's chat channels (issue 15): loaded twice, still one of each; the
tickets they opened carry reporting method *chat* and their timeline."""

import pytest

from spbe.chat.demo import load_chat_demo
from spbe.chat.models import ChatChannel, ChatMessage
from spbe.chat.tests.conftest import make_service
from spbe.desk.models import Ticket


@pytest.fixture
def demo_pemdas(world, packs):
    world.yogya.slug, world.tegal.slug = "kota-yogyakarta", "kabupaten-tegal"
    world.yogya.save()
    world.tegal.save()
    make_service(world.dukcapil, "DUK-01", "Pencetakan KTP-el")
    make_service(world.tegal_dukcapil, "ADM-01", "Adminduk Daring")
    return world


def test_the_demo_loads_once_per_pemda_and_sends_nothing(demo_pemdas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        for _round in range(2):
            load_chat_demo(demo_pemdas.yogya)
            load_chat_demo(demo_pemdas.tegal)
    assert sorted(ChatChannel.objects.values_list("provider", flat=True)) == ["telegram", "whatsapp"]
    tickets = Ticket.objects.filter(reporting_method="chat")
    assert tickets.count() == 6
    assert all(t.timeline.filter(kind="created").exists() for t in tickets)
    assert not ChatMessage.objects.filter(direction="out", status__in=["pending", "sending"]).exists()
    assert ChatMessage.objects.filter(status="failed").count() == 2
    assert not [c for c in callbacks if "schedule" in repr(c)]
