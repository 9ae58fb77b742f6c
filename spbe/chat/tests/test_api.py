"""The chat API (issue 15): read-only channels and messages with the pages'
permissions; secrets never in a body, only whether they are set."""

import pytest

from spbe.chat.tests.conftest import SECRETS, payload, post_telegram

pytestmark = pytest.mark.usefixtures("now")


@pytest.fixture
def chatted(client, bot, wa, fake):
    post_telegram(client, bot, payload("telegram_message"))
    return bot


def test_channels_are_listed_by_who_may_see_them(world, login, chatted, wa):
    def codes(person, **params):
        return [c["code"] for c in login(person).get("/api/v1/chat/kanal/", params).json()["results"]]

    assert codes(world.sysadmin) == ["tegal-wa", "jogja-bot"]  # by Pemda name: Kabupaten Tegal first
    assert codes(world.owner_admin) == ["jogja-bot"]
    assert codes(world.tegal_coordinator) == ["tegal-wa"]
    assert codes(world.other_pd_admin) == []
    assert codes(world.sysadmin, provider="telegram") == ["jogja-bot"]
    assert codes(world.sysadmin, active="false") == []
    assert codes(world.sysadmin, q="whatsapp") == ["tegal-wa"]
    assert login(world.citizen).get("/api/v1/chat/kanal/").status_code == 403
    assert login(world.other_pd_admin).get(f"/api/v1/chat/kanal/{chatted.pk}/").status_code == 404


def test_a_channel_says_which_variables_are_set_never_their_values(world, login, chatted):
    response = login(world.coordinator).get(f"/api/v1/chat/kanal/{chatted.pk}/")
    body = response.content.decode()
    assert response.json()["variables"] == [
        {"name": "SPBE_CHAT_JOGJA_BOT_TOKEN", "is_set": True}, {"name": "SPBE_CHAT_JOGJA_BOT_SECRET", "is_set": True}
    ]  # fmt: skip
    assert response.json()["pd_name"] == "Disdukcapil Yogya"
    assert all(value not in body for value in SECRETS.values())


def test_messages_filter_and_stay_in_scope(world, login, chatted):
    client = login(world.owner_admin)
    messages = client.get("/api/v1/chat/pesan/").json()["results"]
    assert [m["direction"] for m in messages] == ["out", "in"] or len(messages) == 2
    inbound = client.get("/api/v1/chat/pesan/", {"direction": "in"}).json()["results"]
    assert len(inbound) == 1 and inbound[0]["ticket_number"] and inbound[0]["external_id"] == "123456789"
    assert client.get("/api/v1/chat/pesan/", {"status": "bogus"}).status_code == 400
    assert client.get("/api/v1/chat/pesan/", {"q": "KTP-el"}).json()["count"] == 2
    assert login(world.tegal_coordinator).get("/api/v1/chat/pesan/").json()["count"] == 0
    assert login(world.tegal_coordinator).get(f"/api/v1/chat/pesan/{inbound[0]['id']}/").status_code == 404
