"""Records the knowledge tests build on: an active public service of
Disdukcapil Yogya, its PJ Penyedia Layanan (who writes articles) and
articles in each state."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from spbe.catalog.models import Service
from spbe.conftest import give, make_person
from spbe.knowledge.choices import ArticleStatus, Visibility
from spbe.knowledge.models import Article, Category
from spbe.org.choices import Role

PASSWORD_ARTICLE = dict(
    title="Lupa kata sandi akun layanan daring",
    summary="Atur ulang kata sandi lewat menu Lupa Kata Sandi.",
    body="Buka halaman masuk lalu pilih Lupa kata sandi.\n\n"
    "Masukkan NIK dan e-mail terdaftar; tautan dikirim ke e-mail.",
    keywords="lupa password, reset sandi, tidak bisa login",
)


def active_service(world, **overrides) -> Service:
    data = dict(
        pd=world.dukcapil, code="DUK-02", name="Akta Kelahiran Daring", description="Akta lahir daring",
        group="layanan_publik", classification="esensial", access="web", availability_target=Decimal("99"),
        help_contact="0274-123456", support_hours="24x7", lifecycle="active", status="approved",
        service_admin=world.owner_admin,
    )  # fmt: skip
    data.update(overrides)
    return Service.objects.create(**data)


def pj_penyedia(world):
    person = make_person("kabid.kb@yogya.test", world.yogya, nip="198001012006041009", full_name="Hendra Kabid")
    give(person, Role.PJ_PENYEDIA, world.dukcapil)
    return person


def article(world, service=None, *, status=ArticleStatus.PUBLISHED, visibility=Visibility.PUBLIC, **fields) -> Article:
    data = dict(PASSWORD_ARTICLE) if "title" not in fields else {"summary": "", "body": "Isi.", "keywords": ""}
    data.update(fields)
    pd = data.pop("pd", service.pd if service else world.dukcapil)
    return Article.objects.create(
        pemda=pd.pemda if pd else world.yogya, pd=pd, service=service, status=status, visibility=visibility,
        published_at=timezone.now() if status == ArticleStatus.PUBLISHED else None, **data,
    )  # fmt: skip


def category(world, name="Akun dan kata sandi") -> Category:
    return Category.objects.create(pemda=world.yogya, name=name)
