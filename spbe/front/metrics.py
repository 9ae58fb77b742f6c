"""Prometheus metrics of the web process (issue 2, item 9).

With several gunicorn workers, set PROMETHEUS_MULTIPROC_DIR so that /metrics
adds up all of them (prometheus-client's multiprocess mode).
"""

import os

from prometheus_client import REGISTRY as DEFAULT_REGISTRY
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess

REQUESTS = Counter(
    "spbe_http_requests_total", "HTTP requests handled, by method, route and status.", ["method", "route", "status"]
)
LATENCY = Histogram(
    "spbe_http_request_duration_seconds",
    "Time to produce a response, by method and route.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)


def exposition() -> bytes:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(DEFAULT_REGISTRY)
