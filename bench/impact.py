"""Benchmark of impact analysis (Pedoman O-2 item 10, O-4). Not a test.

When a component fails, the complaint form must say at once which
components, applications and services fail with it, so ``impact_of`` loads
the Pemda's edges once and walks them in memory: a fixed number of queries
however large the configuration database grows.

For each size, builds one Pemda with a data centre shaped like a real one
(a core switch and a SAN everything rests on, physical servers, VMs on them,
databases in VMs, applications on VMs and databases, services using
applications) in a fresh, throw-away SQLite test database, then times
``impact_of`` for the core switch (everything fails), one server and one
database. Run from the repository root:

    .venv/bin/python bench/impact.py                # sizes 500, 2000, 5000
    .venv/bin/python bench/impact.py --sizes 20000

Prints queries and milliseconds. It never fails for being slow; it exits 1
only if a call takes more than the fixed bound of queries (fewer happen when
nothing is affected: Django skips a query for an empty ``IN ()``).

No ``test_`` functions here: pytest does not collect it.
"""

from __future__ import annotations

import argparse
import atexit
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# A private var folder and database: never the developer's own data.
_TMP = tempfile.mkdtemp(prefix="spbe-bench-impact-")
atexit.register(shutil.rmtree, _TMP, True)
os.environ["SPBE_VAR_DIR"] = _TMP
os.environ["DATABASE_URL"] = f"sqlite:///{_TMP}/bench.sqlite3"
os.environ["SPBE_ENV"] = "embedded"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spbe.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from spbe.catalog.models import Service  # noqa: E402
from spbe.cmdb.impact import graph_layout, impact_of  # noqa: E402
from spbe.cmdb.models import Application, Component, ComponentDependency, ServiceApplication  # noqa: E402
from spbe.org.models import Pemda, PerangkatDaerah  # noqa: E402

SEED = 20260320
REPEATS = 5
# the Pemda's edges, "runs on", "uses", then components, applications, services
MAX_QUERIES = 6


def build(size: int, rng: random.Random) -> dict[str, Component]:
    """``size`` components, ``size // 2`` applications and as many services
    in a Pemda of their own. Returns the components to fail."""
    pemda = Pemda.objects.create(name=f"Kabupaten Uji {size}", slug=f"uji-{size}", kind="kabupaten")
    pd = PerangkatDaerah.objects.create(pemda=pemda, name=f"Diskominfo Uji {size}", abbreviation="Kominfo")

    def components(prefix: str, kind: str, count: int) -> list[int]:
        Component.objects.bulk_create(
            Component(pemda=pemda, pd=pd, name=f"{prefix}-{n:05d}", kind=kind) for n in range(count)
        )
        return list(Component.objects.filter(pemda=pemda, name__startswith=f"{prefix}-").values_list("pk", flat=True))

    (switch,) = components("core-switch", "network", 1)
    (san,) = components("san", "storage", 1)
    servers = components("server", "server", max(2, size // 50))
    vms = components("vm", "vm", (size - len(servers) - 2) * 3 // 5)
    databases = components("db", "database", size - len(servers) - len(vms) - 2)
    edges = {(s, switch) for s in servers} | {(s, san) for s in servers}
    edges |= {(vm, rng.choice(servers)) for vm in vms}
    edges |= {(db, rng.choice(vms)) for db in databases}
    ComponentDependency.objects.bulk_create(ComponentDependency(component_id=a, depends_on_id=b) for a, b in edges)

    Application.objects.bulk_create(
        Application(pd=pd, name=f"aplikasi-{n:05d}", hosting="pdd") for n in range(size // 2)
    )
    apps = list(Application.objects.filter(pd=pd).values_list("pk", flat=True))
    hosts = vms + databases
    through = Application.components.through
    runs = {(a, c) for a in apps for c in rng.sample(hosts, rng.randint(1, 3))}
    through.objects.bulk_create(through(application_id=a, component_id=c) for a, c in runs)

    Service.objects.bulk_create(
        Service(pd=pd, code=f"L-{n:05d}", name=f"layanan-{n:05d}", description="-", access="-",
                availability_target=99, help_contact="-", group="layanan_publik", classification="normal")
        for n in range(size // 2)
    )  # fmt: skip
    services = list(Service.objects.filter(pd=pd).values_list("pk", flat=True))
    uses = {(s, a) for s in services for a in rng.sample(apps, rng.randint(1, 2))}
    ServiceApplication.objects.bulk_create(ServiceApplication(service_id=s, application_id=a) for s, a in uses)

    picked = {"core switch": switch, "one server": servers[0], "one database": databases[0]}
    return {label: Component.objects.get(pk=pk) for label, pk in picked.items()}


def measure(component: Component) -> tuple[int, list[float], object]:
    with CaptureQueriesContext(connection) as queries:
        impact = impact_of(component)
    timings = []
    for _ in range(REPEATS):
        began = time.perf_counter()
        impact_of(component)
        timings.append((time.perf_counter() - began) * 1000)
    return len(queries), timings, impact


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="500,2000,5000", help="components per Pemda, comma-separated")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]

    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    print(f"Python {platform.python_version()}, Django {django.get_version()}, {connection.vendor} "
          f"{connection.Database.sqlite_version if connection.vendor == 'sqlite' else ''}; "
          f"best and median of {REPEATS} runs after one warm-up")  # fmt: skip
    header = f"{'components':>10} {'fails':<13} {'edges':>6} {'comp.':>6} {'apps':>6} {'serv.':>6} "
    print(header + f"{'queries':>7} {'best ms':>8} {'median ms':>9} {'layout ms':>9}")
    query_counts = set()
    rng = random.Random(SEED)
    try:
        for size in sizes:
            began = time.perf_counter()
            targets = build(size, rng)
            built = time.perf_counter() - began
            for label, component in targets.items():
                queries, timings, impact = measure(component)
                query_counts.add(queries)
                began = time.perf_counter()
                graph_layout(impact)
                layout_ms = (time.perf_counter() - began) * 1000
                print(
                    f"{size:>10} {label:<13} {len(impact.edges):>6} {len(impact.components):>6} "
                    f"{len(impact.applications):>6} {len(impact.services):>6} {queries:>7} "
                    f"{min(timings):>8.1f} {statistics.median(timings):>9.1f} {layout_ms:>9.1f}"
                )
            print(f"{'':>10} (built in {built:.1f} s)")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    if max(query_counts) > MAX_QUERIES:
        print(f"FAIL: up to {max(query_counts)} queries; the bound is {MAX_QUERIES} whatever the size.")
        return 1
    print(f"OK: at most {max(query_counts)} queries for every size (bound {MAX_QUERIES}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
