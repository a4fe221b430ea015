"""A pooled PostgreSQL connection that the server ended is replaced at checkout, with no round
trip on a live one."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text

from entitle.store.database import make_engine
from tests.conftest import POSTGRES_URL

pytestmark = pytest.mark.postgres


@pytest.fixture
def pooled() -> Iterator[Engine]:
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL run: set ENTITLE_TEST_DATABASE_URL (CI does)")
    engine = make_engine(POSTGRES_URL, pool_size=1, max_overflow=0)
    yield engine
    engine.dispose()


GONE = text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid")


def _backend(engine: Engine) -> int:
    with engine.connect() as conn:
        pid: int = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        return pid


def test_a_connection_the_server_ended_is_dropped_and_the_next_request_still_succeeds(
    pooled: Engine,
) -> None:
    first = _backend(pooled)
    admin = make_engine(POSTGRES_URL or "", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first}).scalar()
            # pg_terminate_backend only signals: wait until the backend has gone.
            deadline = time.monotonic() + 10
            while conn.execute(GONE, {"pid": first}).scalar() and time.monotonic() < deadline:
                time.sleep(0.02)
    finally:
        admin.dispose()
    assert _backend(pooled) != first  # no error: the ended one was not handed out


def test_a_live_pooled_connection_is_handed_out_without_asking_the_server(
    pooled: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _backend(pooled)
    pinged: list[object] = []
    ping = pooled.dialect.do_ping
    monkeypatch.setattr(pooled.dialect, "do_ping", lambda c: pinged.append(c) or ping(c))
    for _ in range(3):
        assert _backend(pooled) == first
    assert pinged == []  # pool_pre_ping would have sent SELECT 1 at every checkout
