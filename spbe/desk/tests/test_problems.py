"""O-3: recurring disruptions found, a problem opened with its complaints,
root cause and fix recorded, the provider informed."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from spbe.conftest import give, make_person
from spbe.desk import problems
from spbe.desk.models import Problem, Ticket
from spbe.desk.tests.test_actions import complaint, kritis_public  # noqa: F401  (fixture)
from spbe.notify.models import OutboxMessage
from spbe.org.choices import Role


def recent(service, actor, count):
    now = timezone.now()
    return [complaint(service, actor, reported_at=now - timedelta(days=i + 1)) for i in range(count)]


def test_review_finds_services_with_repeated_complaints(world, kritis_public):  # noqa: F811
    recent(kritis_public, world.tegal_admin, 3)
    found = problems.recurring(Ticket.objects.all(), days=30, minimum=3)
    assert [(r.kind, r.label, r.count) for r in found] == [("service", "Adminduk Daring", 3)]
    assert problems.recurring(Ticket.objects.all(), days=30, minimum=4) == []


def test_open_a_problem_from_the_review_and_inform_the_provider(world, kritis_public, login):  # noqa: F811
    head = make_person("kadis@tegal.test", world.tegal, nip="197001012000031001")
    give(head, Role.PIMPINAN_PD, world.tegal_dukcapil)
    recent(kritis_public, world.tegal_admin, 3)
    client = login(world.tegal_admin)
    page = client.get(reverse("desk:review")).content.decode()
    assert "Adminduk Daring" in page and "Buka masalah" in page
    response = client.post(reverse("desk:problem_open"), {"kind": "service", "object_id": kritis_public.pk, "days": 30})
    problem = Problem.objects.get()
    assert response["Location"] == reverse("desk:problem", args=[problem.pk])
    assert problem.complaints.count() == 3
    [message] = OutboxMessage.objects.filter(key__startswith=f"problem-{problem.pk}")
    assert "kadis@tegal.test" in message.to


def test_record_root_cause_and_known_error(world, kritis_public, login):  # noqa: F811
    tickets = recent(kritis_public, world.tegal_admin, 2)
    problem = problems.open_problem(world.tegal_admin, title="Login gagal", complaints=tickets, service=kritis_public)
    data = {"title": "Login gagal", "status": "known_error", "root_cause": "Sertifikat LDAP kedaluwarsa",
            "workaround": "Masuk dengan OTP", "permanent_fix": ""}  # fmt: skip
    login(world.tegal_admin).post(reverse("desk:problem", args=[problem.pk]), data)
    problem.refresh_from_db()
    assert (problem.status, problem.root_cause) == ("known_error", "Sertifikat LDAP kedaluwarsa")


def test_another_pemda_cannot_see_the_problem(world, kritis_public, login):  # noqa: F811
    tickets = recent(kritis_public, world.tegal_admin, 2)
    problem = problems.open_problem(world.tegal_admin, title="X", complaints=tickets, service=kritis_public)
    assert login(world.owner_admin).get(reverse("desk:problem", args=[problem.pk])).status_code == 404
    response = login(world.owner_admin).post(
        reverse("desk:problem_open"), {"kind": "service", "object_id": kritis_public.pk}
    )
    assert response.status_code == 404
