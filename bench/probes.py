"""Benchmark of the HTTP checks (issue 6, Speed). Not a test.

Runs the production scheduler and probes (``spbe.monitoring.runner.work``:
claim → probe → store) against a local nginx and prints, for one worker
process and for two: HTTP checks per second, CPU time per check (the worker
and its PostgreSQL backend), peak memory, scheduling lag p50 / p99 / max
(``Outcome.lag`` = start − slot), and how many checks ran twice for the same
slot (must be 0). Then it measures Debian's prometheus-blackbox-exporter
side by side against the same nginx and prints the ratio.

    .venv/bin/python bench/probes.py                            # 60 s per run
    .venv/bin/python bench/probes.py --seconds 20 --warmup 5 --checks 60000,120000 --workers 1

What it does:

* Installs what is missing from Debian (``apt-get install -y nginx-light
  prometheus-blackbox-exporter``; root or sudo). They are tools of the
  benchmark, not dependencies of the app.
* Starts its own nginx (config, page and logs under var/bench/probes/,
  127.0.0.1:<free port>, ``worker_processes 1``, ``access_log off``) serving
  a small page with a keyword.
* Builds a throw-away PostgreSQL database ``spbe_probes`` with the
  project's own ``migrate`` and ``seed_demo``, and adds ``max(--checks)``
  HTTP checks (interval 60 s, keyword expected, so the body is read) on one
  demo service. Before each run the first N checks are enabled and given
  their first slot with ``runner.first_slot`` (the stable spread over the
  interval production uses). ``runner.schedule_new`` itself is not called:
  it writes every slot in one ``bulk_update`` without a batch size (one
  ``CASE`` branch per check), which took 20–70 s for 32,000 checks and had
  not finished after 14 minutes for 120,000 (PostgreSQL's JIT compiling the
  statement) on the reference machine.
* A run: W worker processes (each a separate Python process running
  Django on that database) loop ``runner.work(until=…)`` and, when nothing
  is due, sleep ``POLL`` seconds. Results are stored as in production
  (``store``: CheckResult rows and check states). Figures are taken over
  ``--seconds`` after ``--warmup`` seconds. In production Celery beat's
  ``dispatch_checks`` claims the batches (every second) and ``run_checks``
  tasks run them on the worker processes; here claim and ``run_claimed`` run
  in the same process, so the broker's share (a JSON message per batch) is
  not counted.

  - *paced* runs: N checks a minute (``--checks``), so N/60 fall due each
    second; the worker must keep up and the lag shows how late they start.
  - *capacity* runs: all ``max(--checks)`` checks are already due at the
    start (a backlog), so the rate is what the worker can do flat out; lag
    is meaningless there.

* blackbox_exporter (``http_2xx`` module with the same keyword) is pinned
  like a worker and driven by a load generator (aiohttp, keep-alive
  connections to the exporter, ``--bb-concurrency`` requests in flight, each
  one ``/probe?target=…``) for the same duration; probes per second and its
  CPU per probe are compared with a worker's capacity run.

Cores (the reference machines have two): the worker processes and the
blackbox_exporter run on core 0 (``taskset -c 0``), nginx and the load
generator on core 1; PostgreSQL is not pinned (it serves the workers, so
its CPU is counted per check from the worker's own backend). "Two workers"
therefore means two processes sharing core 0: it shows that the claim
shares the work without running a check twice and what a second process
costs, not how far two cores go (``--worker-cores 0,1`` spreads them over
both cores, but then they compete with nginx). Figures taken while other
work runs on the machine are noisy: under each run a "machine" line gives
how busy each core was (and how much the host stole) and the other
processes that used the most CPU meanwhile, and the core column how much
of a core the workers got. PostgreSQL's CPU counted is the workers' own
backends only (not the WAL writer or autovacuum); the workers' peak RSS
includes the benchmark's own record of the run's outcomes.

``--profile`` runs the first worker of the one-process capacity run under
cProfile and prints its top functions (the rate of that run drops).

It prints a table and never fails for being slow. It stops nginx and the
exporter and drops ``spbe_probes`` (unless ``--keep``) when done.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "bench" / "probes"
PY = str(ROOT / ".venv" / "bin" / "python")
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
DB_NAME = "spbe_probes"
DB_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
KEYWORD = "Layanan-SPBE-sehat"
INTERVAL = 60  # seconds between two runs of a check
POLL = 0.1  # seconds a worker sleeps when nothing is due
PROBE_CORE, TARGET_CORE = "0", "1"
CLK = os.sysconf("SC_CLK_TCK")
PACKAGES = {"nginx": "nginx-light", "prometheus-blackbox-exporter": "prometheus-blackbox-exporter"}
ENV = {"DATABASE_URL": DB_URL, "SPBE_VAR_DIR": str(ROOT / "var" / "bench"), "LOG_LEVEL": "WARNING",
       "DJANGO_SETTINGS_MODULE": "spbe.settings"}  # fmt: skip


# ---------------------------------------------------------------- helpers


def which(binary: str) -> str | None:
    return shutil.which(binary) or shutil.which(binary, path="/usr/sbin:/usr/bin:/sbin:/bin")


def ensure_packages() -> None:
    """apt-get install the target and the exporter when missing (Debian's registry)."""
    missing = [package for binary, package in PACKAGES.items() if which(binary) is None]
    if not missing:
        return
    print(f"installing from Debian: {' '.join(missing)}", flush=True)
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run([*sudo, "apt-get", "install", "-y", "-q", *missing], env=env).returncode:
        subprocess.run([*sudo, "apt-get", "update", "-q"], env=env, check=True)
        subprocess.run([*sudo, "apt-get", "install", "-y", "-q", *missing], env=env, check=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def psql(sql: str, url: str = DB_URL) -> str:
    return subprocess.run(["psql", url, "-qtAX", "-v", "ON_ERROR_STOP=1", "-c", sql],
                          check=True, capture_output=True, text=True).stdout.strip()  # fmt: skip


def manage(*args: str) -> None:
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, check=True, env={**os.environ, **ENV},
                   stdout=subprocess.DEVNULL)  # fmt: skip


def proc_cpu(pid: int) -> float:
    """CPU seconds (user + system, all threads) of one process, from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK


def snapshot() -> dict:
    """CPU seconds of every process (pid → (ppid, name, seconds)) and ticks of every core (busy, stolen, all)."""
    procs = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                head, rest = (entry / "stat").read_text().rsplit(")", 1)
                fields = rest.split()
                procs[int(entry.name)] = (int(fields[1]), head.split("(", 1)[1],
                                          (int(fields[11]) + int(fields[12])) / CLK)  # fmt: skip
    cores = {}
    for line in Path("/proc/stat").read_text().splitlines():
        if line.startswith("cpu") and line[3:4].isdigit():
            name, *values = line.split()
            v = [int(value) for value in values[:8]]
            cores[name] = (v[0] + v[1] + v[2] + v[5] + v[6], v[7], sum(v))
    return {"procs": procs, "cores": cores}


def descendants(snap: dict, pid: int) -> set[int]:
    """The process and its descendants."""
    found, stack = {pid}, [pid]
    while stack:
        parent = stack.pop()
        children = [child for child, (ppid, _, _) in snap["procs"].items() if ppid == parent]
        found.update(children)
        stack += children
    return found


def cpu_between(before: dict, after: dict, pids: set[int]) -> float:
    return sum(after["procs"][p][2] - before["procs"].get(p, (0, "", 0.0))[2] for p in pids if p in after["procs"])


def machine(before: dict, after: dict, ours: set[int], seconds: float) -> str:
    """How busy each core was (and stolen by the host), and the other processes that used the most CPU."""
    parts = []
    for name, (busy, steal, total) in after["cores"].items():
        busy0, steal0, total0 = before["cores"][name]
        span = max(total - total0, 1)
        stolen = f" (stolen {(steal - steal0) / span:.0%})" if steal - steal0 > span / 100 else ""
        parts.append(f"{name} busy {(busy - busy0) / span:.0%}{stolen}")
    others: dict[str, float] = {}
    for pid, (_, name, cpu) in after["procs"].items():
        if pid not in ours and pid in before["procs"]:
            others[name] = others.get(name, 0.0) + cpu - before["procs"][pid][2]
    top = sorted(((cpu, name) for name, cpu in others.items() if cpu / seconds >= 0.02), reverse=True)[:4]
    return ", ".join(parts) + "; others: " + (", ".join(f"{n} {c / seconds:.0%}" for c, n in top) or "none")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):  # peak resident set
            return int(line.split()[1]) / 1024
    return 0.0


def wait_until(moment: float) -> None:
    delay = moment - time.time()
    if delay > 0:
        time.sleep(delay)


def measured_window(t0: float, args) -> tuple[dict, dict]:
    """Process snapshots at the start and the end of the measured seconds, after the warm-up from ``t0``."""
    wait_until(t0 + args.warmup)
    before = snapshot()
    wait_until(t0 + args.warmup + args.seconds)
    return before, snapshot()


def percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else float("nan")


def stop(process: subprocess.Popen | None, sig: int = signal.SIGTERM) -> None:
    if process and process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# ---------------------------------------------------------------- the target


def start_nginx() -> tuple[subprocess.Popen, str]:
    """Our own nginx on core 1, serving a small page with the keyword; returns (process, url)."""
    www, tmp = WORK / "www", WORK / "tmp"
    www.mkdir(parents=True, exist_ok=True)
    tmp.mkdir(exist_ok=True)
    (www / "index.html").write_text(
        "<!doctype html><html lang=id><head><meta charset=utf-8><title>Layanan</title></head><body>"
        f"<h1>Layanan daring</h1><p>{KEYWORD}</p><p>{'Isi halaman. ' * 60}</p></body></html>\n"
    )
    port = free_port()
    conf = WORK / "nginx.conf"
    conf.write_text(f"""
worker_processes 1;
worker_rlimit_nofile 65536;
daemon off;
pid {WORK}/nginx.pid;
error_log {WORK}/nginx-error.log warn;
events {{ worker_connections 16384; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    default_type text/html;
    server {{
        listen 127.0.0.1:{port} backlog=4096;
        root {www};
        location / {{ index index.html; }}
    }}
}}
""")
    process = subprocess.Popen(["taskset", "-c", TARGET_CORE, which("nginx"), "-c", str(conf), "-p", str(WORK)])
    url = f"http://127.0.0.1:{port}/"
    for _ in range(100):
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if KEYWORD in response.read().decode():
                    return process, url
        except OSError:
            time.sleep(0.1)
    stop(process)
    raise RuntimeError(f"nginx did not answer on {url}; see {WORK / 'nginx-error.log'}")


# ---------------------------------------------------------------- the database


def build(max_checks: int, url: str) -> None:
    psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)", PG_ADMIN)
    psql(f"CREATE DATABASE {DB_NAME}", PG_ADMIN)
    started = time.perf_counter()
    manage("migrate", "-v0")
    manage("seed_demo")
    add_checks(max_checks, url)
    psql("CREATE TABLE bench_slot (id bigint PRIMARY KEY, first timestamptz NOT NULL)")
    psql("VACUUM ANALYZE")
    print(f"built {DB_NAME}: migrate, seed_demo, {max_checks:,} HTTP checks ({time.perf_counter() - started:.0f} s)")


def add_checks(count: int, url: str, db: str = DB_URL) -> None:
    """``count`` disabled HTTP checks of ``url`` on one service of the demo data, as the check form makes them
    (keyword expected); bench/evaluation.py spreads them over its services."""
    psql(f"""
        INSERT INTO monitoring_check (name, kind, target, expected_status, keyword, follow_redirects, dns_record,
            dns_expected, tls_warn_days, heartbeat_token, interval_seconds, timeout_seconds, retries, enabled,
            status, consecutive_failures, last_error, created, last_updated, pemda_id, pd_id, service_id)
        SELECT 'Situs ' || g, 'http', '{url}', '200-399', '{KEYWORD}', true, 'A', '', 14, 'bench-' || g,
            {INTERVAL}, 10, 3, false, 'pending', 0, '', now(), now(), s.pemda_id, s.pd_id, s.id
        FROM generate_series(1, {count}) AS g,
            (SELECT s.id, s.pd_id, d.pemda_id FROM catalog_service s
             JOIN org_perangkatdaerah d ON d.id = s.pd_id ORDER BY s.id LIMIT 1) AS s
    """, db)  # fmt: skip


def setup_django() -> None:
    os.environ.update(ENV)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def prepare(count: int, base: float) -> None:
    """Enable the first ``count`` checks, reset their state and results, and give each its first slot with
    ``runner.first_slot`` (the production spread) from ``base``; ``bench_slot`` keeps the first slots."""
    from django.db import connection

    from spbe.monitoring import runner
    from spbe.monitoring.models import Check

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE monitoring_checkresult, bench_slot")
        cursor.execute(
            "UPDATE monitoring_check SET enabled = id IN (SELECT id FROM monitoring_check ORDER BY id LIMIT %s), "
            "next_run_at = NULL, status = 'pending', consecutive_failures = 0, last_run_at = NULL, "
            "last_latency_ms = NULL, last_error = '', status_since = NULL",
            [count],
        )
        now = datetime.fromtimestamp(base, UTC)
        checks = list(Check.objects.filter(enabled=True).only("pk", "interval_seconds"))  # before COPY holds the line
        with cursor.copy("COPY bench_slot (id, first) FROM STDIN") as copy:
            for check in checks:
                copy.write_row((check.pk, runner.first_slot(check, now)))
        cursor.execute("UPDATE monitoring_check c SET next_run_at = s.first FROM bench_slot s WHERE s.id = c.id")
    psql("VACUUM ANALYZE monitoring_check")
    psql("VACUUM ANALYZE bench_slot")


def shift(seconds: float) -> None:
    """Move every slot (and the record of first slots) by ``seconds``: the same as scheduling from a later now."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("UPDATE monitoring_check SET next_run_at = next_run_at + make_interval(secs => %s) "
                       "WHERE enabled", [seconds])  # fmt: skip
        cursor.execute("UPDATE bench_slot SET first = first + make_interval(secs => %s)", [seconds])


def verify() -> dict:
    """From the stored rows: how many results, failures, and checks with more runs than slots due."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), count(*) FILTER (WHERE NOT ok) FROM monitoring_checkresult")
        rows, failed = cursor.fetchone()
        # A check can have run at most once per slot that had come by its last start: more runs = a double run.
        # (A failure brings the next run forward, runner.RETRY_SECONDS: checks that failed are left out.)
        cursor.execute("""
            SELECT count(*) FROM (
                SELECT count(*) AS runs, max(r.at) AS last, s.first, c.interval_seconds AS every
                FROM monitoring_checkresult r JOIN bench_slot s ON s.id = r.check_id
                JOIN monitoring_check c ON c.id = r.check_id GROUP BY r.check_id, s.first, c.interval_seconds
                HAVING bool_and(r.ok)
            ) x WHERE runs > floor(extract(epoch FROM last - first) / every) + 1
        """)
        (extra,) = cursor.fetchone()
    return {"rows": rows, "failed_rows": failed, "extra_runs": extra}


# ---------------------------------------------------------------- a worker process


def worker(args: argparse.Namespace) -> None:
    """One worker process: the production loop, timed; writes its figures to ``args.out`` as JSON."""
    setup_django()
    from django.db import connection

    from spbe.monitoring import runner

    phases = {"claim": 0.0, "probe": 0.0, "store": 0.0}
    claimed: list[tuple[int, float]] = []
    counters = {"claims": 0, "idle": 0}

    def timed(name, function):
        def wrapper(*a, **k):
            started = time.perf_counter()
            try:
                return function(*a, **k)
            finally:
                phases[name] += time.perf_counter() - started

        return wrapper

    production_claim = runner.claim

    def claim(*a, **k):
        jobs = production_claim(*a, **k)
        counters["claims"] += bool(jobs)
        claimed.extend((job.check_id, job.slot.timestamp()) for job in jobs)
        return jobs

    # work() and run_claimed() look these up in the module: the production code runs, timed.
    runner.claim = timed("claim", claim)
    runner.run_jobs = timed("probe", runner.run_jobs)
    runner.store = timed("store", runner.store)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (backend,) = cursor.fetchone()
    print(f"ready {backend}", flush=True)
    t0 = float(sys.stdin.readline())
    measure_from, end = t0 + args.warmup, t0 + args.warmup + args.seconds

    def run_until(deadline: float) -> list:
        done = []
        while time.time() < deadline:
            outcomes = runner.work(until=datetime.fromtimestamp(deadline, UTC), limit=args.limit,
                                   concurrency=args.concurrency)  # fmt: skip
            if outcomes:
                done += outcomes
            else:
                counters["idle"] += 1
                time.sleep(POLL)
        return done

    warm = run_until(measure_from)
    for key in phases:
        phases[key] = 0.0
    counters.update(claims=0, idle=0)
    usage, backend_cpu, wall = resource.getrusage(resource.RUSAGE_SELF), proc_cpu(backend), time.perf_counter()
    profiler = None
    if args.profile_out:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    measured = run_until(end)
    if profiler:
        profiler.disable()
    wall = time.perf_counter() - wall
    after, backend_cpu = resource.getrusage(resource.RUSAGE_SELF), proc_cpu(backend) - backend_cpu
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        same_backend = cursor.fetchone()[0] == backend
    if profiler:
        import io
        import pstats

        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text).strip_dirs()
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(30)
        Path(args.profile_out).write_text(text.getvalue())
    Path(args.out).write_text(json.dumps({
        "checks": len(measured), "all_checks": len(warm) + len(measured), "failed": sum(not o.ok for o in measured),
        "errors": sorted({o.error for o in measured if not o.ok})[:3], "wall": wall,
        "user": after.ru_utime - usage.ru_utime, "system": after.ru_stime - usage.ru_stime,
        "backend_cpu": backend_cpu if same_backend else None, "max_rss_mb": after.ru_maxrss / 1024,
        "lags": sorted(o.lag for o in measured), "phases": phases, **counters, "claimed": claimed,
    }))  # fmt: skip


def run(label: str, count: int, workers: int, args: argparse.Namespace, nginx: subprocess.Popen,
        backlog: bool = False, profile: str = "") -> dict:  # fmt: skip
    """One run: ``count`` checks a minute (or all due at once when ``backlog``), ``workers`` processes."""
    base = time.time() + 3600  # nothing due while the workers start
    prepare(count, base)
    cores = args.worker_cores.split(",")
    processes = []
    for index in range(workers):
        command = ["taskset", "-c", cores[index % len(cores)], PY, __file__, "--worker", "--out",
                   str(WORK / f"worker-{index}.json"), "--warmup", str(args.warmup), "--seconds", str(args.seconds),
                   "--limit", str(args.limit), "--concurrency", str(args.concurrency)]  # fmt: skip
        if profile and index == 0:
            command += ["--profile-out", profile]
        processes.append(subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                          env={**os.environ, **ENV}, cwd=ROOT))  # fmt: skip
    try:
        ours = set()
        for process in processes:
            word, _, backend = process.stdout.readline().partition(" ")
            if word != "ready":
                raise RuntimeError("a worker did not start")
            ours |= {process.pid, int(backend)}
        t0 = time.time() + 1.5
        # First slots from t0 (paced) or spread over the interval before t0 (backlog: all due at once).
        shift(t0 - base - (INTERVAL if backlog else 0))
        for process in processes:
            process.stdin.write(f"{t0}\n")
            process.stdin.flush()
        before, after = measured_window(t0, args)
        target = descendants(after, nginx.pid)
        nginx_cpu = cpu_between(before, after, target)
        load = machine(before, after, ours | target | {os.getpid()}, args.seconds)
        for process in processes:
            if process.wait(timeout=args.seconds + 300):
                raise RuntimeError(f"a worker failed (exit {process.returncode})")
    finally:
        for process in processes:
            stop(process)
    results = [json.loads((WORK / f"worker-{index}.json").read_text()) for index in range(workers)]
    pairs = [tuple(pair) for result in results for pair in result.pop("claimed")]
    checks = sum(r["checks"] for r in results)
    wall = statistics.mean(r["wall"] for r in results)
    cpu = sum(r["user"] + r["system"] for r in results)
    backend = None if None in (r["backend_cpu"] for r in results) else sum(r["backend_cpu"] for r in results)
    lags = sorted(lag for r in results for lag in r["lags"])
    return {
        "label": label, "workers": workers, "offered": None if backlog else count / INTERVAL, "backlog": backlog,
        "rate": checks / wall, "per_process": [r["checks"] / r["wall"] for r in results],
        "cpu_ms": cpu / checks * 1000 if checks else float("nan"),
        "pg_ms": backend / checks * 1000 if checks and backend is not None else float("nan"),
        "core_use": cpu / wall, "rss": max(r["max_rss_mb"] for r in results),
        "lag": (percentile(lags, 0.5), percentile(lags, 0.99), lags[-1] if lags else float("nan")),
        "double_claims": len(pairs) - len(set(pairs)), "failed": sum(r["failed"] for r in results),
        "errors": sorted({e for r in results for e in r["errors"]}), "claims": sum(r["claims"] for r in results),
        "idle": sum(r["idle"] for r in results), "all_checks": sum(r["all_checks"] for r in results),
        "phases": {k: sum(r["phases"][k] for r in results) for k in ("claim", "probe", "store")},
        "nginx_use": nginx_cpu / args.seconds, "machine": load, **verify(),
    }  # fmt: skip


# ---------------------------------------------------------------- blackbox_exporter


def loadgen(args: argparse.Namespace) -> None:
    """Keep ``args.concurrency`` /probe requests in flight against the exporter; count them in the window."""
    import aiohttp

    t0 = float(sys.stdin.readline()) if args.start is None else args.start
    measure_from, end = t0 + args.warmup, t0 + args.warmup + args.seconds
    counts = {"ok": 0, "failed": 0, "errors": 0}

    async def client(session: aiohttp.ClientSession) -> None:
        while (now := time.time()) < end:
            try:
                async with session.get(args.loadgen) as response:
                    body = await response.read()
                outcome = "ok" if b"\nprobe_success 1" in body else "failed"
            except aiohttp.ClientError:
                outcome = "errors"
            if now >= measure_from:
                counts[outcome] += 1

    async def main() -> None:
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as session:
            await asyncio.gather(*(client(session) for _ in range(args.concurrency)))

    asyncio.run(main())
    Path(args.out).write_text(json.dumps(counts))


def blackbox(args: argparse.Namespace, url: str, nginx: subprocess.Popen) -> dict:
    """blackbox_exporter on core 0 (GOMAXPROCS=1), the load generator on core 1 with nginx."""
    config = WORK / "blackbox.yml"
    config.write_text(f"""modules:
  http_2xx:
    prober: http
    timeout: 10s
    http:
      preferred_ip_protocol: ip4
      fail_if_body_not_matches_regexp: ["{KEYWORD}"]
""")
    port = free_port()
    log = (WORK / "blackbox.log").open("w")  # closed below; the exporter writes to it meanwhile
    exporter = subprocess.Popen(
        ["taskset", "-c", PROBE_CORE, which("prometheus-blackbox-exporter"), f"--config.file={config}",
         f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"],
        env={**os.environ, "GOMAXPROCS": "1"}, stdout=subprocess.DEVNULL, stderr=log,
    )  # fmt: skip
    probe = f"http://127.0.0.1:{port}/probe?module=http_2xx&target={url}"
    generator = None
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(probe, timeout=2) as response:
                    if b"\nprobe_success 1" in response.read():
                        break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"blackbox_exporter did not answer; see {WORK / 'blackbox.log'}")
        out = WORK / "loadgen.json"
        generator = subprocess.Popen(
            ["taskset", "-c", TARGET_CORE, PY, __file__, "--loadgen", probe, "--out", str(out),
             "--concurrency", str(args.bb_concurrency), "--warmup", str(args.warmup), "--seconds", str(args.seconds)],
            stdin=subprocess.PIPE, text=True,
        )  # fmt: skip
        time.sleep(1)  # the generator imports aiohttp
        t0 = time.time() + 0.5
        generator.stdin.write(f"{t0}\n")
        generator.stdin.flush()
        before, after = measured_window(t0, args)
        target = descendants(after, nginx.pid)
        cpu, nginx_cpu = cpu_between(before, after, {exporter.pid}), cpu_between(before, after, target)
        load = machine(before, after, target | {exporter.pid, generator.pid, os.getpid()}, args.seconds)
        if generator.wait(timeout=120):
            raise RuntimeError("the load generator failed")
        counts = json.loads(out.read_text())
        rss = rss_mb(exporter.pid)
    finally:
        stop(generator)
        stop(exporter)
        log.close()
    probes = counts["ok"] + counts["failed"]
    return {"rate": probes / args.seconds, "cpu_ms": cpu / probes * 1000 if probes else float("nan"),
            "core_use": cpu / args.seconds, "rss": rss, "failed": counts["failed"] + counts["errors"],
            "nginx_use": nginx_cpu / args.seconds, "machine": load}  # fmt: skip


# ---------------------------------------------------------------- report


def report(runs: list[dict], box: dict | None, args: argparse.Namespace) -> None:
    print("\nHTTP checks: production claim → probe → store on PostgreSQL, nginx on 127.0.0.1 (core 1), "
          f"workers on core(s) {args.worker_cores}, {args.seconds:g} s measured after {args.warmup:g} s")  # fmt: skip
    head = (f"{'run':<26}{'proc':>4}{'due/s':>7}{'checks/s':>9}{'per proc':>13}{'CPU/check':>10}"
            f"{'PG/check':>9}{'core':>6}{'RSS':>7}{'lag p50':>8}{'p99':>7}{'max':>7}{'twice':>6}{'failed':>7}"
            f"{'nginx':>6}")  # fmt: skip
    print(head)
    print("-" * len(head))
    for r in runs:
        per = "/".join(f"{p:,.0f}" for p in r["per_process"])
        due = "all" if r["backlog"] else f"{r['offered']:,.0f}"
        lag = ("      —" * 3) if r["backlog"] else "".join(f"{x:>6.2f}s" for x in r["lag"])
        twice = r["double_claims"] + r["extra_runs"]
        print(f"{r['label']:<26}{r['workers']:>4}{due:>7}{r['rate']:>9,.0f}{per:>13}{r['cpu_ms']:>8.2f}ms"
              f"{r['pg_ms']:>7.2f}ms{r['core_use']:>5.0%}{r['rss']:>5.0f}MB{lag[:8]:>8}{lag[8:]:>14}"
              f"{twice:>6}{r['failed']:>7}{r['nginx_use']:>6.0%}")  # fmt: skip
    print("\n  due/s: checks falling due each second (all: a backlog, so the rate is the ceiling); core: CPU of the")
    print("  workers / wall time (1 = one core busy); CPU/check: worker process, user + system; PG/check: its")
    print("  PostgreSQL backend; lag: start − slot; twice: a (check, slot) claimed twice, or more results than slots")
    print("  (must be 0); nginx: CPU of the target / wall time.")
    for r in runs:
        total = sum(r["phases"].values()) or 1
        split = ", ".join(f"{k} {v / total:.0%}" for k, v in r["phases"].items())
        note = f"; stored rows {r['rows']:,} for {r['all_checks']:,} checks run, {r['failed_rows']} failed"
        if r["errors"]:
            note += f"; errors: {'; '.join(r['errors'])}"
        if r["backlog"] and r["idle"]:
            note += "; the backlog ran out (rate is a lower bound)"
        print(f"  {r['label']} ×{r['workers']}: time in {split}; {r['claims']} claims of ≤{args.limit}{note}")
        print(f"      machine: {r['machine']}")
    if box:
        print(f"\nprometheus-blackbox-exporter {box['version']} (http_2xx, same keyword), core 0, GOMAXPROCS=1, "
              f"{args.bb_concurrency} probes in flight from a load generator on core 1:")  # fmt: skip
        print(f"  {box['rate']:,.0f} probes/s, {box['cpu_ms']:.2f} ms CPU per probe, core {box['core_use']:.0%}, "
              f"RSS {box['rss']:.0f} MB, {box['failed']} failed, nginx {box['nginx_use']:.0%}")  # fmt: skip
        print(f"  machine: {box['machine']}")
        if box["core_use"] < 0.9:
            print("  (the exporter did not have its core busy: the load generator or the machine limited it)")
    capacity = next((r for r in runs if r["backlog"] and r["workers"] == 1), None)
    paced = [r for r in runs if not r["backlog"] and r["offered"] >= 1000]
    print("\nTargets (issue 6):")
    if capacity:
        print(f"  ≥ 1,000 checks/s per worker process: {capacity['rate']:,.0f}/s flat out "
              f"({'met' if capacity['rate'] >= 1000 else 'NOT met'})")  # fmt: skip
    for r in paced:
        kept = r["lag"][1] < 2
        print(f"  p99 lag < 2 s at {r['offered'] * 60:,.0f} checks/min ×{r['workers']}: {r['lag'][1]:.2f} s "
              f"({'met' if kept else 'NOT met'})")  # fmt: skip
    for n in sorted({r["workers"] for r in runs}):
        ladder = sorted((r["offered"] * 60, r["lag"][1]) for r in runs if not r["backlog"] and r["workers"] == n)
        kept = [density for density, p99 in ladder if p99 < 2]
        grew = [density for density, p99 in ladder if p99 >= 2]
        if ladder:
            line = f"  ×{n}: p99 lag < 2 s up to {max(kept):,.0f} checks/min" if kept else f"  ×{n}: p99 lag ≥ 2 s"
            print(line + (f"; the lag grows from {min(grew):,.0f}/min" if grew else " (every density tried)"))
    if capacity and box and box["rate"]:
        ratio = capacity["rate"] / box["rate"]
        print(f"  ≥ ½ of blackbox_exporter's rate: {ratio:.2f}× ({'met' if ratio >= 0.5 else 'NOT met'}); "
              f"CPU per check {capacity['cpu_ms'] + capacity['pg_ms']:.2f} ms (worker + PostgreSQL) against "
              f"{box['cpu_ms']:.2f} ms")  # fmt: skip


# ---------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checks", default="60000,120000", help="checks a minute for the paced runs (comma list)")
    parser.add_argument("--workers", default="1,2", help="worker processes per run (comma list)")
    parser.add_argument("--seconds", type=float, default=60, help="measured seconds per run")
    parser.add_argument("--warmup", type=float, default=10, help="seconds before measuring")
    parser.add_argument("--worker-cores", default=PROBE_CORE, help="cores the workers are pinned to, round robin")
    parser.add_argument("--limit", type=int, default=500, help="checks per claim (runner.work's default)")
    parser.add_argument("--concurrency", type=int, default=500, help="probes in flight (runner.work's default)")
    parser.add_argument("--bb-concurrency", type=int, default=256, help="probes in flight to blackbox_exporter")
    parser.add_argument("--no-capacity", action="store_true", help="skip the backlog (flat out) runs")
    parser.add_argument("--no-blackbox", action="store_true", help="skip blackbox_exporter")
    parser.add_argument("--profile", action="store_true", help="cProfile the first worker of the 1-worker capacity "
                        "run (slower) and print the top functions")  # fmt: skip
    parser.add_argument("--keep", action="store_true", help="keep the spbe_probes database")
    # internal: the worker and load-generator processes
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--loadgen", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--start", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--profile-out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args)
    if args.loadgen:
        return loadgen(args)

    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))  # clean up (finally below) when killed
    densities = [int(n) for n in args.checks.split(",")]
    workers = [int(n) for n in args.workers.split(",")]
    WORK.mkdir(parents=True, exist_ok=True)
    ensure_packages()
    print(f"{platform.node()}: {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f} at start; "
          f"PostgreSQL {psql('SHOW server_version', PG_ADMIN)}")  # fmt: skip
    nginx, url = start_nginx()
    runs, box, django_ready = [], None, False
    try:
        build(max(densities), url)
        setup_django()
        django_ready = True
        for count in densities:
            for n in workers:
                label = f"paced {count:,}/min"
                print(f"run: {label} ×{n} …", flush=True)
                runs.append(run(label, count, n, args, nginx))
        if not args.no_capacity:
            for n in workers:
                label = f"capacity ({max(densities):,} due)"
                print(f"run: {label} ×{n} …", flush=True)
                profile = str(WORK / "profile.txt") if args.profile and n == 1 else ""
                runs.append(run(label, max(densities), n, args, nginx, backlog=True, profile=profile))
        if not args.no_blackbox:
            print("run: blackbox_exporter …", flush=True)
            box = blackbox(args, url, nginx)
            version = subprocess.run([which("prometheus-blackbox-exporter"), "--version"], capture_output=True,
                                     text=True)  # fmt: skip
            box["version"] = (version.stdout + version.stderr).split()[2]
    finally:
        stop(nginx, signal.SIGQUIT)
        if django_ready:
            from django.db import connections

            connections.close_all()
        if not args.keep:
            psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)", PG_ADMIN)
    report(runs, box, args)
    if args.profile and (WORK / "profile.txt").exists():
        print(f"\ncProfile of one worker, capacity run ({WORK / 'profile.txt'}):")
        print((WORK / "profile.txt").read_text())


if __name__ == "__main__":
    sys.exit(main())
