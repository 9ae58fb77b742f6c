"""The probes (O-4): HTTP(S), TCP, TLS certificate, DNS and heartbeat.

Each probe takes a frozen ``Job`` and returns an ``Outcome``; it never
raises. Every network wait is bounded by the check's timeout, and a body is
read only when a keyword is expected and then at most ``MAX_BODY`` bytes, so
a slow-loris or a huge response costs at most one timeout and a megabyte.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import aiohttp
import dns.asyncresolver
import dns.exception
import dns.resolver

from spbe.monitoring.choices import CheckKind

MAX_BODY = 1024 * 1024
ERROR_LENGTH = 200


@dataclass(frozen=True)
class Job:
    """What a probe needs of a check, taken when the check is claimed (no
    database access while probing)."""

    check_id: int
    slot: datetime  # when it was due
    kind: str
    target: str
    timeout: float  # seconds
    expected_status: str = "200-399"
    keyword: str = ""
    latency_threshold_ms: int | None = None
    follow_redirects: bool = True
    dns_record: str = "A"
    dns_expected: str = ""
    tls_warn_days: int = 14
    interval: int = 60
    last_ping_at: datetime | None = None


@dataclass(frozen=True)
class Outcome:
    check_id: int
    started: datetime
    ok: bool
    latency_ms: int | None
    error: str = ""
    lag: float = 0.0  # seconds between the slot and the start (scheduling lag)


def accepted_statuses(spec: str) -> list[range]:
    """'200-399' or '200,204,301-302' → ranges; a bad spec raises ValueError
    (the check form validates it with this function)."""
    ranges = []
    for part in spec.replace(" ", "").split(","):
        low, _, high = part.partition("-")
        low_code, high_code = int(low), int(high or low)
        if not 100 <= low_code <= high_code <= 599:
            raise ValueError(part)
        ranges.append(range(low_code, high_code + 1))
    return ranges


def split_host_port(target: str) -> tuple[str, int]:
    host, _, port = target.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536 or " " in host:
        raise ValueError(target)
    return host.strip("[]"), int(port)


def split_dns_target(target: str) -> tuple[str, str | None, int]:
    """'name' or 'name@server' or 'name@server:port' (an intranet's own DNS
    server, as government networks often have) → (name, server, port)."""
    name, _, server = target.partition("@")
    if not name or " " in name or "." not in name.strip("."):
        raise ValueError(target)
    if not server:
        return name, None, 53
    host, port = split_host_port(server) if ":" in server else (server, 53)
    return name, host, port


class Prober:
    """Runs many jobs concurrently on one event loop with one HTTP session
    (fresh connection per check: a probe must see what a new visitor sees)."""

    def __init__(self, concurrency: int = 500):
        self.concurrency = concurrency

    async def run(self, jobs: list[Job]) -> list[Outcome]:
        semaphore = asyncio.Semaphore(self.concurrency)
        connector = aiohttp.TCPConnector(limit=0, force_close=True, ttl_dns_cache=300)
        async with aiohttp.ClientSession(connector=connector, auto_decompress=False) as session:

            async def bounded(job: Job) -> Outcome:
                async with semaphore:
                    return await self.probe(session, job)

            return list(await asyncio.gather(*(bounded(job) for job in jobs)))

    async def probe(self, session: aiohttp.ClientSession, job: Job) -> Outcome:
        started = datetime.now(UTC)
        clock = time.perf_counter()
        probe = {
            CheckKind.HTTP: self._http, CheckKind.TCP: self._tcp, CheckKind.TLS: self._tls,
            CheckKind.DNS: self._dns, CheckKind.HEARTBEAT: self._heartbeat,
        }.get(job.kind)  # fmt: skip
        try:
            if probe is None:
                raise ProbeError(f"Jenis pemeriksaan tidak dikenal: {job.kind}")
            await asyncio.wait_for(probe(session, job), timeout=job.timeout + 1)
            error = ""
        except ProbeError as failure:
            error = str(failure)
        except TimeoutError:
            error = f"Batas waktu {job.timeout:g} detik habis"
        except Exception as failure:
            error = f"{type(failure).__name__}: {failure}"
        latency = round((time.perf_counter() - clock) * 1000)
        if not error and job.latency_threshold_ms and latency > job.latency_threshold_ms:
            error = f"Lambat: {latency} ms (batas {job.latency_threshold_ms} ms)"
        lag = max(0.0, (started - job.slot).total_seconds())
        return Outcome(job.check_id, started, not error, latency if job.kind != CheckKind.HEARTBEAT else None,
                       error[:ERROR_LENGTH], lag)  # fmt: skip

    async def _http(self, session: aiohttp.ClientSession, job: Job) -> None:
        try:
            url = aiohttp.client.URL(job.target)
            if url.scheme not in ("http", "https") or not url.host:
                raise ValueError
        except ValueError:
            raise ProbeError(f"Alamat tidak valid: {job.target}") from None
        timeout = aiohttp.ClientTimeout(total=job.timeout)
        try:
            async with session.get(url, allow_redirects=job.follow_redirects, timeout=timeout, max_redirects=10,
                                   headers={"User-Agent": "LayananSPBE-Pemantau/1"}) as response:  # fmt: skip
                if not any(response.status in codes for codes in accepted_statuses(job.expected_status)):
                    raise ProbeError(f"Kode status {response.status}")
                if job.keyword and not await _contains(response, job.keyword):
                    raise ProbeError(f"Kata kunci “{job.keyword}” tidak ditemukan")
        except aiohttp.ClientError as failure:
            raise ProbeError(http_failure(failure)) from None

    async def _open(self, job: Job, tls: bool):
        try:
            host, port = split_host_port(job.target)
        except ValueError:
            raise ProbeError(f"Sasaran harus berbentuk host:port, bukan “{job.target}”") from None
        context = ssl.create_default_context() if tls else None
        try:
            return await asyncio.wait_for(
                asyncio.open_connection(host, port, ssl=context, server_hostname=host if tls else None),
                timeout=job.timeout,
            )
        except ssl.SSLCertVerificationError as failure:
            raise ProbeError(f"TLS: sertifikat ditolak ({failure.verify_message})") from None
        except ssl.SSLError as failure:
            raise ProbeError(f"TLS: {failure.reason or failure}") from None
        except OSError as failure:
            raise ProbeError(f"Tidak dapat terhubung ke {host}:{port}: {failure.strerror or failure}") from None

    async def _tcp(self, session, job: Job) -> None:
        _reader, writer = await self._open(job, tls=False)
        writer.close()

    async def _tls(self, session, job: Job) -> None:
        _reader, writer = await self._open(job, tls=True)
        try:
            certificate = writer.get_extra_info("ssl_object").getpeercert()
        finally:
            writer.close()
        expires = datetime.fromtimestamp(ssl.cert_time_to_seconds(certificate["notAfter"]), UTC)
        days = (expires - datetime.now(UTC)).days
        if days < job.tls_warn_days:
            raise ProbeError(f"Sertifikat habis dalam {days} hari ({expires:%d-%m-%Y})")

    async def _dns(self, session, job: Job) -> None:
        try:
            name, server, port = split_dns_target(job.target)
        except ValueError:
            raise ProbeError(f"Nama domain tidak valid: {job.target}") from None
        resolver = dns.asyncresolver.Resolver(configure=server is None)
        if server is not None:
            resolver.nameservers, resolver.port = [server], port
        try:
            answer = await resolver.resolve(name, job.dns_record, lifetime=job.timeout)
        except dns.resolver.NXDOMAIN:
            raise ProbeError(f"Nama {name} tidak ada (NXDOMAIN)") from None
        except dns.resolver.NoAnswer:
            raise ProbeError(f"Tidak ada rekaman {job.dns_record} untuk {name}") from None
        except dns.exception.Timeout:
            raise ProbeError("DNS tidak menjawab dalam batas waktu") from None
        except dns.exception.DNSException as failure:
            raise ProbeError(f"DNS: {failure}") from None
        values = [record.to_text().strip('"').rstrip(".") for record in answer]
        if job.dns_expected and job.dns_expected.rstrip(".") not in values:
            raise ProbeError(f"Jawaban {', '.join(values)}; diharapkan {job.dns_expected}")

    async def _heartbeat(self, session, job: Job) -> None:
        # A ping may come a little late: a tenth of the interval, at least a minute.
        grace = timedelta(seconds=job.interval + max(60, job.interval // 10))
        if job.last_ping_at is None:
            raise ProbeError("Belum pernah menerima detak")
        silent = datetime.now(UTC) - job.last_ping_at
        if silent > grace:
            raise ProbeError(f"Tidak ada detak selama {int(silent.total_seconds() // 60)} menit")


async def _contains(response: aiohttp.ClientResponse, keyword: str) -> bool:
    """Read the body until the keyword shows up, the body ends or MAX_BODY
    bytes were read (the check's timeout bounds the time)."""
    needle, body = keyword.encode(response.charset or "utf-8", errors="replace"), bytearray()
    while len(body) < MAX_BODY:
        chunk = await response.content.read(MAX_BODY - len(body))
        if not chunk:
            break
        body += chunk
        if needle in body:
            return True
    return False


def http_failure(failure: aiohttp.ClientError) -> str:
    """What went wrong with an HTTP request, in words for the page that
    shows it (a check's result, a utilisation target's last scrape)."""
    if isinstance(failure, aiohttp.ClientConnectorCertificateError):
        return f"TLS: sertifikat ditolak ({failure.certificate_error})"
    if isinstance(failure, aiohttp.ClientSSLError):
        return f"TLS: {failure}"
    if isinstance(failure, aiohttp.ClientConnectorError):
        return f"Tidak dapat terhubung: {failure.os_error.strerror or failure}"
    if isinstance(failure, aiohttp.TooManyRedirects):
        return "Terlalu banyak pengalihan"
    if isinstance(failure, aiohttp.InvalidURL):
        return f"Alamat tidak valid: {failure.url}"
    if isinstance(failure, aiohttp.ClientResponseError):
        return f"Tanggapan tidak valid: {failure.message}"
    if isinstance(failure, aiohttp.ClientPayloadError):
        return f"Isi tanggapan rusak: {failure}"
    if isinstance(failure, aiohttp.ServerDisconnectedError):
        return "Server memutus sambungan"
    return f"{type(failure).__name__}: {failure}"


class ProbeError(Exception):
    """A failed check, with the message staff will read."""


def run_jobs(jobs: list[Job], concurrency: int = 500) -> list[Outcome]:
    """Probe the jobs concurrently; blocking (for Celery tasks and the bench)."""
    if not jobs:
        return []
    return asyncio.run(Prober(concurrency).run(jobs))
