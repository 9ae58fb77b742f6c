"""REST API of the desk (issue 5, item 11): same permissions and the same
action functions as the pages; errors are JSON with a message."""

from spbe.desk.models import Ticket
from spbe.desk.tests.test_actions import complaint, kritis_public  # noqa: F401  (fixture)

PAYLOAD = {
    "kind": "complaint", "impact": "mayor", "reporting_method": "email", "reporter_name": "Ibu Sari",
    "reporter_email": "sari@mail.test", "subject": "Gagal masuk", "description": "Galat 500",
}  # fmt: skip


def test_create_a_complaint_with_priority_and_clocks(world, kritis_public, login):  # noqa: F811
    client = login(world.tegal_admin)
    response = client.post(
        "/api/v1/tickets/", {**PAYLOAD, "service": kritis_public.pk}, content_type="application/json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["priority"] == 1 and body["number"].startswith("TGL-")
    clocks = client.get(f"/api/v1/tickets/{body['id']}/clocks/").json()
    assert {c["kind"] for c in clocks} == {"response", "user_service"}


def test_transitions_go_through_the_actions(world, kritis_public, login):  # noqa: F811
    ticket = complaint(kritis_public, world.tegal_admin)
    client = login(world.tegal_admin)
    url = f"/api/v1/tickets/{ticket.pk}/transitions/"
    assert (
        client.post(url, {"action": "respond", "message": "Dicek"}, content_type="application/json").status_code == 200
    )
    response = client.post(url, {"action": "reporter_replied", "message": "x"}, content_type="application/json")
    assert response.status_code == 400
    assert "Tidak dapat dilakukan" in str(response.json())
    kinds = [e["kind"] for e in client.get(f"/api/v1/tickets/{ticket.pk}/timeline/").json()]
    assert "responded" in kinds


def test_bad_input_is_json_with_a_message(world, kritis_public, login):  # noqa: F811
    client = login(world.tegal_admin)
    response = client.post("/api/v1/tickets/", {**PAYLOAD, "service": kritis_public.pk, "impact": ""},
                           content_type="application/json")  # fmt: skip
    assert response.status_code == 400
    assert response.json()["message"] and "impact" in response.json()["errors"]
    assert not Ticket.objects.exists()


def test_another_pemda_sees_nothing(world, kritis_public, login):  # noqa: F811
    ticket = complaint(kritis_public, world.tegal_admin)
    client = login(world.owner_admin)
    assert client.get("/api/v1/tickets/").json()["results"] == []
    assert client.get(f"/api/v1/tickets/{ticket.pk}/").status_code == 404
    response = client.post(f"/api/v1/tickets/{ticket.pk}/transitions/", {"action": "respond", "message": "x"},
                           content_type="application/json")  # fmt: skip
    assert response.status_code == 404
    created = client.post("/api/v1/tickets/", {**PAYLOAD, "service": kritis_public.pk}, content_type="application/json")
    assert created.status_code == 400  # a service of another Pemda is not found


def test_citizens_cannot_use_the_agent_api(world, login):
    assert login(world.citizen).get("/api/v1/tickets/").status_code == 403


def test_openapi_schema_is_valid_without_warnings(db, tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    assert "/api/v1/tickets/{id}/transitions/" in (tmp_path / "schema.yml").read_text()
