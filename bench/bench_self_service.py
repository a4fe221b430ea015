"""A self-service checkout round trip from the workstation, beside the plain create it wraps.

The round trip is what ``entitle-tool checkout`` does once signed in, by the tool's own code
(``entitle.tool.selfservice.check_out``): from the stored access token, ``POST
/api/v1/me/checkouts`` under the country's self-service policy (the server creates, signs and
answers the file), then the file verified against the pinned issuer root and imported into
the user's store. The baseline is ``POST /api/v1/checkouts`` with an administrator's token, the
create the self-service call wraps, sent by the tool's own HTTP code (a new connection each,
as the tool makes them). One client, one server worker, taking turns: the ratio is what the
workstation's one step costs over the bare create. A second figure times the round trip's
``POST /api/v1/me/checkouts`` alone, to tell the server's share from the tool's.
"""

from __future__ import annotations

import functools
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.databases import BenchDatabase, backends, shared
from bench.harness import Context, Figure
from bench.server import RunningServer, serve, token_for
from entitle.domain.model import LicenseService
from entitle.service.demo import CATALOG

DAYS = 7


def run(ctx: Context) -> None:
    rounds = 3 if ctx.tiny else 40 if ctx.quick else 100
    for backend in backends(ctx):
        trip, alone, plain = _measure(shared(ctx, backend), rounds)
        where = f"{backend}, 1 worker, 1 client"
        ctx.add(
            Figure(
                f"self-service checkout round trip ({where})",
                trip,
                "POST /api/v1/checkouts (admin token)",
                plain,
                "ms",
                notes=f"median of {rounds} alternating; token to file verified and imported",
            )
        )
        ctx.add(
            Figure(
                f"POST /api/v1/me/checkouts alone ({where})",
                alone,
                "POST /api/v1/checkouts (admin token)",
                plain,
                "ms",
                notes="the round trip's server side: the policy, the file in the answer",
            )
        )
        print(
            f"{backend}: self-service round trip {trip:.1f} ms (its POST alone {alone:.1f} ms), "
            f"plain create {plain:.1f} ms"
        )


def _measure(db: BenchDatabase, rounds: int) -> tuple[float, float, float]:
    """Median milliseconds of the round trip, of its POST alone and of the plain create."""
    from entitle.tool.selfservice import check_out

    organisation = db.world.dominant
    # A plain user (every 500th is a Co-Administrator) and the country they book in.
    user = organisation.user_emails[1]
    country = organisation.countries[1 % len(organisation.countries)]
    wanted = [_application()]
    with serve(db, workers=1) as server, tempfile.TemporaryDirectory() as home:
        _allow_self_service(server, country)
        issuer = _issuer_root(db)
        token = token_for(db, user)
        _sign_in(home, server.base_url, user, token)
        trip, alone, plain = _alternating(
            [
                functools.partial(
                    check_out, wanted, days=DAYS, country=country, issuer=issuer, home=home
                ),
                functools.partial(_own_create, server.base_url, token, country, *wanted[0]),
                functools.partial(_create, server, user, country, *wanted[0]),
            ],
            rounds,
            reset=functools.partial(_empty, home),
        )
    return trip, alone, plain


def _alternating(
    operations: list[Callable[[], object]], rounds: int, reset: Callable[[], object]
) -> list[float]:
    """Median milliseconds of each operation, run in turn; ``reset`` runs untimed after each."""
    for operation in operations:  # warm the worker, the connection path and the imports
        operation()
        reset()
    samples: list[list[float]] = [[] for _ in operations]
    for _ in range(rounds):
        for operation, times in zip(operations, samples, strict=True):
            start = time.perf_counter()
            operation()
            times.append((time.perf_counter() - start) * 1000)
            reset()
    return [statistics.median(times) for times in samples]


def _application() -> tuple[str, str]:
    name, rows = next(iter(CATALOG.items()))
    return name, next(v for v, s in rows if s is LicenseService.SES)


def _allow_self_service(server: RunningServer, country: str) -> None:
    from entitle.tool.http import send

    answer = send(
        "PUT",
        f"{server.base_url}/api/v1/countries/{country}/policy",
        {"self_service": True, "self_service_max_days": 30},
        headers=server.headers,
    )
    if answer.status != 200:
        raise RuntimeError(f"turning self-service on answered {answer.status}: {answer.body!r}")


def _issuer_root(db: BenchDatabase) -> str:
    """The deployment's root fingerprint, as ``entitle keys fingerprint`` reads it out."""
    from entitle.licensefile.keys import load_keys

    return load_keys(db.data_dir).root_fingerprint


def _sign_in(home: str, server: str, email: str, token: str) -> None:
    """What ``entitle-tool login`` leaves: a credential whose access token is the user's."""
    from entitle.tool.files import write_atomic
    from entitle.tool.home import machine_name
    from entitle.tool.signin import Credential, credential_path

    now = datetime.now(UTC)
    credential = Credential(
        server, email, token, now + timedelta(days=1), "unused", machine_name(), now
    )
    write_atomic(credential_path(home), credential.to_bytes(), mode=0o600)


def _create(server: RunningServer, user: str, country: str, application: str, version: str) -> None:
    from entitle.tool.http import send

    body: dict[str, Any] = {
        "country": country,
        "license_service": "SES",
        "user": user,
        "machine": "BENCH-WS-1",
        "applications": [{"name": application, "version": version}],
        "expires_on": (datetime.now(UTC).date() + timedelta(days=DAYS)).isoformat(),
    }
    answer = send("POST", f"{server.base_url}/api/v1/checkouts", body, headers=server.headers)
    if answer.status != 201:
        raise RuntimeError(f"create answered {answer.status}: {answer.body!r}")


def _own_create(server: str, token: str, country: str, application: str, version: str) -> None:
    from entitle.tool.http import send

    body: dict[str, Any] = {
        "country": country,
        "applications": [{"application": application, "version": version}],
        "days": DAYS,
        "machine_name": "BENCH-WS-2",
    }
    headers = {"Authorization": f"Bearer {token}"}
    answer = send("POST", f"{server}/api/v1/me/checkouts", body, headers=headers)
    if answer.status != 201:
        raise RuntimeError(f"self-service create answered {answer.status}: {answer.body!r}")


def _empty(home: str) -> None:
    """Forget the imported license, so each round trip imports into a store of one."""
    from entitle.tool.store import Store

    with Store(Path(home)).update() as state:
        state.licenses.clear()
