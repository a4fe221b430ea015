"""From the workstation, in Chromium: Ana approves ``entitle-tool login`` on the /device page,
checks out with ``entitle-tool checkout``, sees the checkout on My checkouts, and the license
runs with the server stopped."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import shot
from tests.browser.portal import PASSWORD
from tests.servers import ServerProcess, entitle, server_environment, serving
from tests.workstation import Login, tool_environment

pytestmark = [pytest.mark.browser, pytest.mark.slow]
USER = "ana.lima@example.com"
MACHINE = "BROWSER-WS-8"
APPLICATION, VERSION = "Atlas Designer", "10.17.2.61"


@pytest.fixture
def server(tmp_path: Path, browser) -> Iterator[ServerProcess]:  # type: ignore[no-untyped-def]
    """The demo behind a server of this test's own, since the test stops it."""
    env = server_environment(tmp_path / "server", ENTITLE_DEVICE_POLL_SECONDS="1")
    entitle(env, "db", "upgrade")
    entitle(env, "demo")
    with serving(env, tmp_path / "serve.log") as running:
        yield running


def _tool(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    command = [str(Path(sys.executable).with_name("entitle-tool")), *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, check=False)


def test_a_login_approved_in_the_portal_checks_out_and_the_license_runs_offline(
    page: Page, server: ServerProcess, tmp_path: Path
) -> None:
    workstation = tool_environment(
        tmp_path / "workstation", machine=MACHINE, config_dir=tmp_path / "etc-entitle"
    )
    root = entitle(server.env, "keys", "fingerprint").strip().splitlines()[-1]
    pinned = _tool(workstation, "trust", "--system", server.url, "--fingerprint", root)
    assert pinned.returncode == 0, pinned.stderr

    login = Login(workstation, server.url)
    page.goto(f"{server.url}/device?user_code={login.user_code}")
    page.get_by_label("Email").fill(USER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#device-machine")).to_have_text(MACHINE)
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("heading", name="entitle-tool is signed in")).to_be_visible()
    code, _, err = login.finish()
    assert code == 0, err

    done = _tool(workstation, "checkout", "--app", APPLICATION, "--version", VERSION, "--days", "7")
    assert done.returncode == 0, done.stderr
    found = re.fullmatch(
        rf"Checked out {APPLICATION} {VERSION} until \S+ for {MACHINE} \(checkout (\S+)\); "
        r"it runs offline until then\.",
        done.stdout.strip(),
    )
    assert found, done.stdout

    page.goto(f"{server.url}/my-checkouts")
    row = page.locator("#my-checkouts tbody tr").filter(has_text=MACHINE)
    expect(row).to_contain_text("Self-service")
    expect(row).to_contain_text(f"{APPLICATION} {VERSION}")
    shot(page, "tool-self-service-my-checkouts")

    server.terminate()
    checked = _tool(workstation, "check", "--app", APPLICATION, "--version", VERSION)
    assert checked.returncode == 0, checked.stderr
    assert f"(checkout {found.group(1)})" in checked.stdout
