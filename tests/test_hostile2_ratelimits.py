"""Issue 29's rate-limit finding, replayed against HQ and the kiosk served by several gunicorn workers on 127.0.0.1,
their counters in the machine's Redis (127.0.0.1:6379, a database and key prefix of this test's own, removed after)."""

from __future__ import annotations

import uuid

import pytest
import redis
import requests

from testing.hostile import Browser
from testing.processes import clean_environ, gunicorn_process
from tests.conftest import make_app

REDIS_URL = "redis://127.0.0.1:6379/13"  # the tests' own database: nothing else on the machine uses it
TRACKING = "/track/TI-7K4Q-2M9C/not-a-token"  # a 404, counted like any tracking page (a guesser's traffic)


@pytest.fixture
def key_prefix():
    """A key prefix of this run's own; every key under it is removed afterwards. Redis down fails the test."""
    prefix = f"test-ratelimits-{uuid.uuid4().hex}"
    client = redis.Redis.from_url(REDIS_URL)
    client.ping()
    yield prefix
    for key in client.scan_iter(match=f"*{prefix}*"):
        client.delete(key)
    client.close()


def opened(base: str, forwarded_for: str) -> int:
    """One tracking page opened on a new connection (so the workers share the requests), as relayed by a proxy."""
    return requests.get(base + TRACKING, headers={"X-Forwarded-For": forwarded_for}, timeout=10).status_code


def estimate_started(base: str, forwarded_for: str) -> int:
    """A new visitor of the self-service screen starts an estimate, claiming its own address in a header."""
    visitor = Browser(base)
    visitor.get("/customer/", headers={"X-Forwarded-For": forwarded_for})
    return visitor.post("/customer/start", {"kind": "phone"}, headers={"X-Forwarded-For": forwarded_for}).status_code


def test_low_16_rate_limits_hold_across_gunicorn_workers_through_redis_and_trust_a_proxy_only_when_told(
        tmp_path, key_prefix):
    hq_env = clean_environ(HQ_DATA_DIR=str(tmp_path / "hq"), HQ_RATE_LIMIT_STORAGE=REDIS_URL,
                           HQ_RATE_LIMIT_KEY_PREFIX=key_prefix, HQ_TRUSTED_PROXIES="1")
    with gunicorn_process("hq:create_app()", 4, hq_env) as (hq, _process):  # behind one proxy, 30 a minute
        first_seller = [opened(hq, "203.0.113.7") for _ in range(160)]
        assert len(first_seller) - first_seller.count(429) == 30 and set(first_seller) == {404, 429}
        assert [opened(hq, "203.0.113.8") for _ in range(5)] == [404] * 5  # another seller behind the same proxy
        # What a client writes in the header itself comes before what the proxy adds: it buys no new counter.
        forged = [opened(hq, f"198.51.100.{n}, 203.0.113.7") for n in range(5)]
        assert forged == [429] * 5
    make_app(tmp_path / "kiosk")  # the terminal's database, keys and demo store, as run_kiosk.py makes them
    kiosk_env = clean_environ(KIOSK_DATA_DIR=str(tmp_path / "kiosk"), KIOSK_RATE_LIMIT_STORAGE=REDIS_URL,
                              KIOSK_RATE_LIMIT_KEY_PREFIX=key_prefix, KIOSK_RATE_LIMIT_CUSTOMER="5 per minute")
    with gunicorn_process("kiosk:create_app()", 2, kiosk_env) as (kiosk, _process):  # no proxy declared
        starts = [estimate_started(kiosk, f"198.51.100.{n}") for n in range(8)]
    assert starts == [303] * 5 + [429] * 3  # one screen, one counter, whatever the header says
