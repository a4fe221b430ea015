"""``entitle-tool checkout``, ``renew``, ``return`` and ``request`` against a real server.

Ana signs the tool in (approved over HTTP as the /device page's form does; in Chromium:
tests/browser/test_tool_self_service.py), checks out for her workstation under the demo's
self-service policy (GB: on, 30 days; US: off), runs offline, renews and returns; the
administrator sees each step. An air-gapped machine's request file becomes a checkout that runs
on that machine only.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from entitle.tool.store import Store
from tests.conftest import POSTGRES_URL, _postgres_schema_url
from tests.servers import ServerProcess, entitle, server_environment, serving
from tests.workstation import Login, approve_over_http, tool_environment

BIN = Path(sys.executable).parent
USER = "ana.lima@example.com"
ORGANISATION = "Northwind Engineering"
APPLICATION, VERSION = "Atlas Designer", "10.17.2.61"
MACHINE = "SELF-WS-1"
CHECKED_OUT = re.compile(
    rf"Checked out {APPLICATION} {VERSION} until (\d{{4}}-\d\d-\d\d) for {MACHINE} "
    r"\(checkout ([0-9a-f-]{36})\); it runs offline until then\."
)

pytestmark = pytest.mark.slow


@dataclass
class Served:
    server: ServerProcess
    env: dict[str, str]
    token: str
    fingerprint: str

    @property
    def url(self) -> str:
        return self.server.url

    def admin(
        self, method: str, path: str, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> httpx.Response:
        """A request as the organisation's administrator."""
        bearer = {"Authorization": f"Bearer {self.token}", **(headers or {})}
        return httpx.request(method, self.url + path, headers=bearer, timeout=30, **kwargs)


@contextmanager
def _database(backend: str, directory: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{directory / 'entitle.sqlite3'}"
        return
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL run: set ENTITLE_TEST_DATABASE_URL (CI does)")
    yield from _postgres_schema_url(POSTGRES_URL)


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    """The demo behind a real server (polled every second), on SQLite and on PostgreSQL; in
    GB, StructLab is excluded from checkout."""
    directory = tmp_path_factory.mktemp(f"self-service-{request.param}")
    with _database(request.param, directory) as database_url:
        env = server_environment(directory, database_url, ENTITLE_DEVICE_POLL_SECONDS="1")
        entitle(env, "db", "upgrade")
        entitle(env, "demo")
        entitle(env, "country", "set", ORGANISATION, "GB", "--exclude-application", "StructLab")
        token = entitle(env, "token", "create", "--email", "admin@example.com")
        fingerprint = entitle(env, "keys", "fingerprint").strip().splitlines()[-1]
        with serving(env, directory / "serve.log") as running:
            yield Served(running, env, token.strip().splitlines()[-1].strip(), fingerprint)


def _tool(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "entitle-tool"), *args], env=env, capture_output=True, text=True, check=False
    )


def _workstation(
    served: Served, directory: Path, machine: str = MACHINE, machine_id: str | None = None
) -> dict[str, str]:
    """A workstation whose administrator pinned the server's issuer."""
    ids = {} if machine_id is None else {"machine_id": machine_id}
    env = tool_environment(
        directory / "workstation", machine=machine, config_dir=directory / "etc-entitle", **ids
    )
    pinned = _tool(env, "trust", "--system", served.url, "--fingerprint", served.fingerprint)
    assert pinned.returncode == 0, pinned.stderr
    return env


def _sign_in(served: Served, env: dict[str, str]) -> dict[str, str]:
    login = Login(env, served.url)
    approve_over_http(served.url, login.user_code, USER)
    code, _, err = login.finish()
    assert code == 0, err
    return env


@pytest.fixture
def workstation(served: Served, tmp_path: Path) -> dict[str, str]:
    """Ana's workstation, its tool signed in to the server."""
    return _sign_in(served, _workstation(served, tmp_path))


def _checkout(env: dict[str, str], *options: str) -> subprocess.CompletedProcess[str]:
    return _tool(env, "checkout", "--app", APPLICATION, "--version", VERSION, *options)


def _check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return _tool(env, "check", "--app", APPLICATION, "--version", VERSION)


def _one_line(done: subprocess.CompletedProcess[str]) -> str:
    """The one line a command printed on stderr, with the tool's prefix."""
    [line] = done.stderr.splitlines()
    assert done.stdout == ""
    return line.removeprefix("entitle-tool: ")


def _fingerprint_of(env: dict[str, str]) -> str:
    machine = _tool(env, "machine")
    return machine.stdout.splitlines()[-1].split()[-1]


def test_checkout_runs_offline_renew_supersedes_the_old_file_and_return_checks_in(
    served: Served, workstation: dict[str, str], tmp_path: Path
) -> None:
    today = datetime.now(UTC).date()
    done = _checkout(workstation, "--country", "GB", "--days", "10")
    assert done.returncode == 0, done.stderr
    [line] = done.stdout.splitlines()
    found = CHECKED_OUT.fullmatch(line)
    assert found, line
    assert found.group(1) == (today + timedelta(days=10)).isoformat()
    checkout_id = found.group(2)
    seen = served.admin("GET", f"/api/v1/checkouts/{checkout_id}").json()
    assert seen["created_via"] == "self_service"
    assert seen["created_by"] == USER
    assert seen["machine"] == MACHINE
    assert seen["machine_fingerprint"] == _fingerprint_of(workstation)

    served.server.terminate()
    try:
        offline = _check(workstation)
        assert offline.returncode == 0, offline.stderr
        assert f"(checkout {checkout_id})" in offline.stdout
        pinned = _tool(
            workstation,
            "check",
            "--app",
            APPLICATION,
            "--version",
            VERSION,
            "--issuer",
            served.fingerprint,
        )
        assert pinned.returncode == 0, pinned.stderr
    finally:
        served.server.start()

    home = workstation["ENTITLE_TOOL_HOME"]
    old_file = tmp_path / "old.belic"
    old_file.write_bytes(Store(home).read().licenses[checkout_id].data)
    renewed = _tool(workstation, "renew", checkout_id[:8], "--days", "20")
    assert renewed.returncode == 0, renewed.stderr
    assert renewed.stdout.splitlines() == [
        f"Renewed checkout {checkout_id} until {today + timedelta(days=20)} for {MACHINE}: the "
        "new license file replaces the old one, which the server has superseded."
    ]
    assert _check(workstation).returncode == 0
    synced = _tool(workstation, "sync")  # no URL: the checkout's server was remembered
    assert synced.returncode == 0, synced.stderr
    assert "0 license(s) dropped" in synced.stdout
    refused = _tool(workstation, "import", str(old_file))
    assert refused.returncode == 1
    assert f"The license file of checkout {checkout_id} was replaced by a newer one" in (
        refused.stdout
    )
    assert _check(workstation).returncode == 0  # the renewed file still runs

    returned = _tool(workstation, "return", checkout_id)
    assert returned.returncode == 0, returned.stderr
    assert returned.stdout.splitlines() == [
        f"Returned checkout {checkout_id}: cleared on {MACHINE} and checked in on {served.url}."
    ]
    assert _check(workstation).returncode == 1
    seen = served.admin("GET", f"/api/v1/checkouts/{checkout_id}").json()
    assert seen["status"] == "checked_in"
    assert seen["check_in_method"] == "client"
    assert seen["checked_in_by"] == USER
    nothing_left = _tool(workstation, "send-receipts", served.url)
    assert nothing_left.stdout.splitlines()[0] == "No receipts are waiting to be sent."


def test_checkouts_lists_the_users_own_checkouts_and_marks_those_imported_here(
    served: Served, workstation: dict[str, str]
) -> None:
    done = _checkout(workstation, "--days", "3")  # GB: the one country open to Ana
    assert done.returncode == 0, done.stderr
    found = CHECKED_OUT.fullmatch(done.stdout.strip())
    assert found
    listed = _tool(workstation, "checkouts")
    assert listed.returncode == 0, listed.stderr
    [row] = [line for line in listed.stdout.splitlines() if found.group(2) in line]
    assert "imported" in row
    assert "self service" in row
    assert "ANA-LAPTOP" in listed.stdout  # the demo's own checkout of Ana's, made elsewhere


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        (("--app", APPLICATION, "--version", VERSION, "--country", "US"), "SELF_SERVICE_OFF"),
        (
            ("--app", APPLICATION, "--version", VERSION, "--country", "GB", "--days", "31"),
            "SELF_SERVICE_DAYS_OVER_MAX",
        ),
        (
            ("--app", "StructLab", "--version", "23.1.0.201", "--country", "GB"),
            "APPLICATION_EXCLUDED",
        ),
    ],
    ids=["self-service off", "days over the maximum", "excluded application"],
)
def test_a_refusal_is_the_servers_sentence_in_one_line_and_checks_out_nothing(
    served: Served, workstation: dict[str, str], arguments: tuple[str, ...], code: str
) -> None:
    before = served.admin("GET", "/api/v1/checkouts", params={"user": USER}).json()["total"]
    done = _tool(workstation, "checkout", *arguments)
    assert done.returncode == 1
    line = _one_line(done)
    # What the server says to the same request, asked directly.
    options = dict(zip(arguments[::2], arguments[1::2], strict=True))
    body: dict[str, Any] = {
        "country": options["--country"],
        "applications": [{"application": options["--app"], "version": options["--version"]}],
        "machine_name": MACHINE,
    }
    if "--days" in options:
        body["days"] = int(options["--days"])
    answer = httpx.post(
        f"{served.url}/api/v1/me/checkouts",
        json=body,
        headers={"Authorization": f"Bearer {_access_token(workstation)}"},
        timeout=30,
    ).json()
    assert answer["code"] == code
    assert line == answer["detail"]
    after = served.admin("GET", "/api/v1/checkouts", params={"user": USER}).json()["total"]
    assert after == before
    assert _tool(workstation, "list").stdout.strip() == "No licenses are imported for this user."


def test_self_service_off_names_the_country_and_who_can_turn_it_on(
    served: Served, workstation: dict[str, str]
) -> None:
    done = _checkout(workstation, "--country", "US")
    assert done.returncode == 1
    assert _one_line(done) == (
        "Self-service checkout is turned off for United States (US); an administrator of "
        f"{ORGANISATION} can turn it on."
    )


def _access_token(workstation: dict[str, str]) -> str:
    from entitle.tool.signin import credential_path

    document = json.loads(Path(credential_path(workstation["ENTITLE_TOOL_HOME"])).read_bytes())
    return str(document["access_token"])


def test_without_signing_in_checkout_says_to_log_in_in_one_line(
    served: Served, tmp_path: Path
) -> None:
    env = _workstation(served, tmp_path)
    done = _checkout(env, "--country", "GB")
    assert done.returncode == 1
    assert _one_line(done) == (
        "This user's entitle-tool is not signed in: run 'entitle-tool login SERVER_URL'."
    )


def test_on_a_machine_that_trusts_no_issuer_nothing_is_checked_out(
    served: Served, tmp_path: Path
) -> None:
    env = _sign_in(
        served,
        tool_environment(
            tmp_path / "workstation", machine=MACHINE, config_dir=tmp_path / "etc-entitle"
        ),
    )
    before = served.admin("GET", "/api/v1/checkouts", params={"user": USER}).json()["total"]
    done = _checkout(env, "--country", "GB")
    assert done.returncode == 1
    assert _one_line(done).startswith("Nothing is trusted on this machine: no license issuer is")
    after = served.admin("GET", "/api/v1/checkouts", params={"user": USER}).json()["total"]
    assert after == before


def test_a_return_while_the_server_is_down_keeps_the_receipt_for_send_receipts(
    served: Served, workstation: dict[str, str]
) -> None:
    done = _checkout(workstation, "--country", "GB", "--days", "4")
    found = CHECKED_OUT.fullmatch(done.stdout.strip())
    assert found, done.stderr
    checkout_id = found.group(2)
    served.server.terminate()
    try:
        returned = _tool(workstation, "return", checkout_id)
        assert returned.returncode == 1
        line = _one_line(returned)
        assert line.startswith(f"Cleared checkout {checkout_id} on {MACHINE}, but the server was ")
        assert line.endswith(
            f"Send the check-in later with 'entitle-tool send-receipts {served.url}'."
        )
        assert _check(workstation).returncode == 1  # cleared here all the same
    finally:
        served.server.start()
    sent = _tool(workstation, "send-receipts", served.url)
    assert sent.returncode == 0, sent.stdout
    assert f"{checkout_id}: accepted" in sent.stdout
    seen = served.admin("GET", f"/api/v1/checkouts/{checkout_id}").json()
    assert seen["check_in_method"] == "client"
    assert seen["client_cleared_at"] is not None


def test_returning_a_checkout_made_out_to_someone_else_checks_it_in_by_its_receipt(
    served: Served, workstation: dict[str, str], tmp_path: Path
) -> None:
    created = served.admin(
        "POST",
        "/api/v1/checkouts",
        json={
            "country": "US",
            "license_service": "SES",
            "user": "ben.carter@example.com",
            "machine": MACHINE,
            "applications": [{"name": APPLICATION, "version": VERSION}],
        },
    )
    assert created.status_code == 201, created.text
    checkout_id = created.json()["id"]
    license_file = tmp_path / "ben.belic"
    license_file.write_bytes(
        served.admin("GET", f"/api/v1/checkouts/{checkout_id}/license-file").content
    )
    assert _tool(workstation, "import", str(license_file)).returncode == 0
    returned = _tool(workstation, "return", checkout_id)
    assert returned.returncode == 0, returned.stderr
    assert returned.stdout.splitlines() == [
        f"Returned checkout {checkout_id}: cleared on {MACHINE}; {served.url} recorded the "
        "check-in from its receipt."
    ]
    seen = served.admin("GET", f"/api/v1/checkouts/{checkout_id}").json()
    assert seen["status"] == "checked_in"
    assert seen["check_in_method"] == "client"
    assert seen["checked_in_by"] == "ben.carter@example.com"


def test_a_file_the_pinned_issuer_did_not_issue_is_refused_and_the_checkout_given_back(
    served: Served, workstation: dict[str, str]
) -> None:
    stranger = "sha256:" + "0" * 64
    done = _checkout(workstation, "--country", "GB", "--days", "2", "--issuer", stranger)
    assert done.returncode == 1
    line = _one_line(done)
    found = re.search(
        r"for checkout ([0-9a-f-]{36}) was refused here: This license was not issued by a "
        r"license server this workstation trusts",
        line,
    )
    assert found, line
    assert line.endswith("The checkout was returned on the server: nothing is checked out.")
    seen = served.admin("GET", f"/api/v1/checkouts/{found.group(1)}").json()
    assert seen["status"] == "checked_in"
    assert seen["check_in_method"] == "client"
    assert _tool(workstation, "list").stdout.strip() == "No licenses are imported for this user."


def test_a_request_file_becomes_a_checkout_that_runs_on_its_machine_alone(
    served: Served, tmp_path: Path
) -> None:
    airgapped = _workstation(served, tmp_path / "airgapped", "LAB-AIRGAP-07", "a1" * 16)
    request_file = tmp_path / "usb" / "request.json"
    request_file.parent.mkdir()
    written = _tool(
        airgapped,
        "request",
        "--app",
        "atlas designer",
        "--version",
        "10.17.02.61",
        "--days",
        "30",
        "--country",
        "us",
        "--out",
        str(request_file),
    )
    assert written.returncode == 0, written.stderr
    assert written.stdout.strip() == (
        "Wrote the checkout request of LAB-AIRGAP-07 for atlas designer 10.17.02.61 to "
        f"{request_file}; hand it to your administrator."
    )
    fingerprint = _fingerprint_of(airgapped)

    read = served.admin(
        "POST",
        "/api/v1/checkout-requests",
        content=request_file.read_bytes(),
        headers={"Content-Type": "application/json"},
    )
    assert read.status_code == 200, read.text
    draft = read.json()
    assert draft["machine"] == "LAB-AIRGAP-07"
    assert draft["machine_fingerprint"] == fingerprint
    assert draft["applications"] == [{"name": APPLICATION, "version": VERSION}]
    assert draft["expires_on"] == (datetime.now(UTC).date() + timedelta(days=30)).isoformat()
    created = served.admin(
        "POST",
        "/api/v1/checkouts",
        json={
            "country": draft["country"],
            "license_service": draft["license_service"],
            "user": USER,
            "machine": draft["machine"],
            "machine_fingerprint": draft["machine_fingerprint"],
            "applications": draft["applications"],
            "expires_on": draft["expires_on"],
        },
    )
    assert created.status_code == 201, created.text
    assert created.json()["created_via"] == "request_file"
    license_file = tmp_path / "usb" / "license.belic"
    downloaded = served.admin("GET", f"/api/v1/checkouts/{created.json()['id']}/license-file")
    license_file.write_bytes(downloaded.content)

    imported = _tool(airgapped, "import", str(license_file))
    assert imported.returncode == 0, imported.stdout
    assert _check(airgapped).returncode == 0

    same_name = _workstation(served, tmp_path / "impostor", "LAB-AIRGAP-07", "b2" * 16)
    refused = _tool(same_name, "import", str(license_file))
    assert refused.returncode == 1
    assert "with another machine fingerprint: it runs only on the computer it was issued for" in (
        refused.stdout
    )
    assert _check(same_name).returncode == 1
