"""What bench/desk.py and bench/helpdesk.py share: a signed-in HTTP client, concurrent runs and the p50 / p95
figures."""

from __future__ import annotations

import http.cookiejar
import json
import math
import re
import statistics
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor


class Client:
    """A signed-in HTTP client (cookie jar + CSRF token).

    It signs in through the real login form: it reads the form's CSRF token, posts the credentials and keeps the
    session cookie (the redirect after signing in is followed, as a browser would).
    """

    def __init__(self, base: str, email: str, password: str, login_path: str = "/akun/masuk/"):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        page = self.opener.open(f"{base}{login_path}").read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": email, "password": password})
        self.opener.open(urllib.request.Request(f"{base}{login_path}", data.encode(), headers={"Referer": base}))
        if not any(c.name == "sessionid" for c in self.jar):
            raise RuntimeError(f"could not sign in as {email} at {base}{login_path}")
        self.csrf = next(c.value for c in self.jar if c.name == "csrftoken")

    def fetch(self, path: str) -> tuple[float, bytes]:
        """GET ``path``: the seconds it took (until the whole body was read) and the body."""
        started = time.perf_counter()
        with self.opener.open(f"{self.base}{path}") as response:
            body = response.read()
        return time.perf_counter() - started, body

    def get(self, path: str) -> float:
        return self.fetch(path)[0]

    def post_json(self, path: str, payload: dict) -> float:
        request = urllib.request.Request(
            f"{self.base}{path}", json.dumps(payload).encode(),
            headers={"Content-Type": "application/json", "X-CSRFToken": self.csrf, "Referer": self.base},
        )  # fmt: skip
        started = time.perf_counter()
        with self.opener.open(request) as response:
            response.read()
        return time.perf_counter() - started


def percentiles(samples: list[float]) -> tuple[float, float]:
    """(p50, p95) of ``samples``, in seconds; p95 by nearest rank (the lower
    rank taken before gave, on two samples, the smaller: a p95 below the p50)."""
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, math.ceil(len(ordered) * 0.95) - 1)]


def figures(label: str, samples: list[float]) -> tuple[float, float]:
    """Print the p50 / p95 of ``samples`` under ``label`` and return them (seconds)."""
    p50, p95 = percentiles(samples)
    print(f"  {label:<44} p50 {p50 * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms   (n={len(samples)})")
    return p50, p95


def concurrently(clients: list[Client], call: Callable[[Client], float], count: int) -> tuple[list[float], float]:
    """``call(client)`` ``count`` times, one thread per client, each client in turn: the samples and the rate per
    second over the whole run."""
    started = time.perf_counter()
    with ThreadPoolExecutor(len(clients)) as pool:
        samples = list(pool.map(lambda i: call(clients[i % len(clients)]), range(count)))
    return samples, count / (time.perf_counter() - started)
