"""HQ survives losing its database server (issue 35): a paced two-node fleet run on a primary PostgreSQL with a
synchronous standby behind HAProxy (testing.pg_cluster); the primary is killed mid-run and the standby promoted, as
an operator or Patroni would. Every record HQ acknowledged is on the new primary, once; HQ answers 503 meanwhile,
never 500; every terminal resumes by itself and its backlog drains within a minute of the promotion.
Real PostgreSQL 15 clusters, HAProxy, gunicorn and the kiosk's own sync thread: it fails, never skips, without them."""

from __future__ import annotations

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
import requests

from bench import failover
from bench.failover import DRAIN_LIMIT_SECONDS
from core.protocol import HEADER_STORE
from hq.storage import RaceLost
from hq.storage.postgres import ConnectionLost, DatabaseUnavailable, PostgresStorage
from testing.pg import PG_URL, pg_schema
from testing.printer_emulator import free_port

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def backend_pid(storage: PostgresStorage, hold: float = 0.0) -> int:
    with storage.transaction() as tx:
        time.sleep(hold)
        return tx.rows("SELECT pg_backend_pid()")[0][0]


def cut(pid: int, after: float = 0.0) -> None:
    """The server ends that connection, as a failover or a restart ends every one."""
    time.sleep(after)
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(%s)", [pid])


def test_pooled_connections_whose_server_went_away_are_replaced_before_a_request_uses_them():
    with pg_schema() as url:
        storage = PostgresStorage(url + "&application_name=hq_failover_test", max_connections=4)
        with ThreadPoolExecutor(4) as requests_at_once:  # four connections in the pool
            before = set(requests_at_once.map(lambda _: backend_pid(storage, hold=0.3), range(4)))
        with psycopg.connect(PG_URL, autocommit=True) as conn:  # the server ends them all, as a failover does
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                         "WHERE application_name = 'hq_failover_test'")
        time.sleep(0.2)
        after = {backend_pid(storage) for _ in range(8)}  # no error: each was tried, and replaced
        assert len(before) == 4 and not after & before
        storage.close()


def test_a_connection_lost_before_commit_is_run_again_and_one_lost_during_commit_is_never_acknowledged():
    with pg_schema() as url:
        storage = PostgresStorage(url)
        with storage.transaction() as tx:  # a commit that takes 2 s: long enough to lose the server meanwhile
            tx.run("CREATE TABLE slow (x int)")
            tx.run("CREATE FUNCTION slow_commit() RETURNS trigger LANGUAGE plpgsql AS "
                   "$$ BEGIN PERFORM pg_sleep(2); RETURN NULL; END $$")
            tx.run("CREATE CONSTRAINT TRIGGER at_commit AFTER INSERT ON slow DEFERRABLE INITIALLY DEFERRED "
                   "FOR EACH ROW EXECUTE FUNCTION slow_commit()")
        with pytest.raises(ConnectionLost) as before, storage.transaction() as tx:
            tx.run("INSERT INTO slow VALUES (1)")
            cut(tx.rows("SELECT pg_backend_pid()")[0][0])
            tx.run("INSERT INTO slow VALUES (2)")
        assert isinstance(before.value, RaceLost) and before.value.code == 503  # ingest reruns it; others: 503

        with pytest.raises(DatabaseUnavailable) as during, storage.transaction() as tx:
            tx.run("INSERT INTO slow VALUES (3)")
            threading.Thread(target=cut, args=(tx.rows("SELECT pg_backend_pid()")[0][0], 0.5)).start()
        assert not isinstance(during.value, RaceLost) and during.value.code == 503  # outcome unknown: no ack
        with storage.transaction() as tx:
            assert tx.rows("SELECT count(*) FROM slow")[0][0] == 0
        storage.close()


def test_no_database_server_is_a_503_within_seconds_and_the_next_requests_at_once():
    storage = PostgresStorage(f"postgresql://root@127.0.0.1:{free_port()}/test")
    start = time.monotonic()
    with pytest.raises(DatabaseUnavailable) as unavailable, storage.transaction():
        pass
    assert unavailable.value.code == 503 and time.monotonic() - start < 10
    start = time.monotonic()
    for _ in range(20):  # a fleet's retries, while the server is known to be away: no worker thread held
        with pytest.raises(DatabaseUnavailable), storage.transaction():
            pass
    assert time.monotonic() - start < 0.5
    storage.close()


def what_a_store_and_a_supervisor_meet(base: str, seen: dict) -> None:
    """While no primary answers: a store's push and a supervisor's sign-in, through the same HAProxy as the fleet."""
    seen["push"] = requests.post(f"{base}/api/v1/stores/st_probe/batches", data=b"{}", timeout=30,
                                 headers={HEADER_STORE: "st_probe", "Content-Type": "application/json"})
    browser = requests.Session()
    token = CSRF_FIELD.search(browser.get(f"{base}/hq/login", timeout=30).text).group(1)
    seen["sign_in"] = browser.post(f"{base}/hq/login", data={"csrf_token": token, "name": "Camille", "pin": "123456"},
                                   timeout=30)


@pytest.mark.slow
def test_killing_the_primary_mid_run_loses_no_acknowledged_record_and_every_store_resumes():
    seen: dict = {}
    result = failover.run(stores=50, rate=200, seconds=30,
                          during_outage=lambda base: what_a_store_and_a_supervisor_meet(base, seen))

    assert result["replication_before_kill"] == [["s1", "sync"]]  # an ack was on two disks when the primary died
    assert seen["push"].status_code == 503, seen["push"].text[:300]
    assert seen["push"].json()["error"]  # the store's client reads why, and retries with backoff
    assert seen["sign_in"].status_code == 503, seen["sign_in"].text[:300]
    assert "Réessayez dans un instant" in seen["sign_in"].text  # HQ's own page, in French (its default)
    assert "500" not in result["answers_before_kill"] and "500" not in result["answers_from_kill_on"], result
    assert result["answers_from_kill_on"].get("503", 0) > 0, result  # the terminals did meet the outage

    assert result["acked_lost"] == 0, result
    assert result["duplicated"] == 0, result
    assert result["records_written"] == result["records_acked"] == result["records_stored"] == 50 * 5 * 25, result
    assert result["rejected"] == 0 and result["acks_agree"], result

    assert result["stores_resumed"] == 50, result  # every terminal acknowledged again, nobody restarted anything
    assert result["backlog_drained_after_promotion_s"] is not None, result
    assert result["backlog_drained_after_promotion_s"] <= DRAIN_LIMIT_SECONDS, result
    assert result["all_drained_after_last_write_s"] is not None, result
