"""A small hand-made configuration graph in Kota Yogyakarta, on top of the
shared personas:

    srv-pdd-01 (server, Kominfo)
      └─ vm-dukcapil (VM, Dukcapil)
           ├─ runs SIAK (Dukcapil) ── used by KTP-el (Dukcapil), Rujukan (Dinkes)
           └─ db-dukcapil (database, Dukcapil)
    srv-pdd-02 (server, Kominfo) ── runs SIMPUS (Dinkes) ── used by Puskesmas (Dinkes)
    srv-tegal (server, Tegal)
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from spbe.catalog.choices import Classification, ServiceGroup
from spbe.catalog.models import Service
from spbe.cmdb.choices import ComponentKind, Hosting
from spbe.cmdb.models import Application, Component, ComponentDependency, ServiceApplication


def make_service(pd, code: str, name: str, **extra) -> Service:
    return Service.objects.create(
        pd=pd, code=code, name=name, description="-", access="-", availability_target=99, help_contact="-",
        group=ServiceGroup.LAYANAN_PUBLIK, classification=extra.pop("classification", Classification.NORMAL), **extra,
    )  # fmt: skip


def make_component(pd, name: str, kind=ComponentKind.SERVER, **extra) -> Component:
    return Component.objects.create(pemda=pd.pemda, pd=pd, name=name, kind=kind, **extra)


def make_app(pd, name: str, **extra) -> Application:
    return Application.objects.create(
        pd=pd, name=name, hosting=extra.pop("hosting", Hosting.PUSAT_DATA_DAERAH), **extra
    )


@pytest.fixture
def graph(world) -> SimpleNamespace:
    server = make_component(world.kominfo, "srv-pdd-01", attributes={"IP": "10.0.1.5", "OS": "Proxmox VE 8"})
    server2 = make_component(world.kominfo, "srv-pdd-02")
    vm = make_component(world.dukcapil, "vm-dukcapil", ComponentKind.VM, location="Pusat Data Daerah, rak B3")
    db = make_component(world.dukcapil, "db-dukcapil", ComponentKind.DATABASE)
    tegal_server = make_component(world.tegal_dukcapil, "srv-tegal")
    ComponentDependency.objects.create(component=vm, depends_on=server)
    ComponentDependency.objects.create(component=db, depends_on=vm)
    siak = make_app(world.dukcapil, "SIAK", technology="Java 17, Oracle 19c", version="7.2")
    simpus = make_app(world.dinkes, "SIMPUS", hosting=Hosting.CLOUD)
    siak.components.add(vm)
    simpus.components.add(server2)
    ktp = make_service(world.dukcapil, "DUKCAPIL-01", "KTP-el", classification=Classification.KRITIS)
    rujukan = make_service(world.dinkes, "DINKES-01", "Rujukan")
    puskesmas = make_service(world.dinkes, "DINKES-02", "Puskesmas")
    akta = make_service(world.dukcapil, "DUKCAPIL-02", "Akta Kelahiran")
    tegal_service = make_service(world.tegal_dukcapil, "TGL-01", "KTP Tegal")
    ServiceApplication.objects.create(service=ktp, application=siak)
    ServiceApplication.objects.create(service=rujukan, application=siak)
    ServiceApplication.objects.create(service=puskesmas, application=simpus)
    return SimpleNamespace(
        server=server, server2=server2, vm=vm, db=db, tegal_server=tegal_server, siak=siak, simpus=simpus,
        ktp=ktp, rujukan=rujukan, puskesmas=puskesmas, akta=akta, tegal_service=tegal_service,
    )  # fmt: skip
