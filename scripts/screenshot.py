"""Take the README's screenshot of the portal: ``make screenshot`` (writes docs/portal.png).

Starts ``entitle serve`` on a throw-away SQLite file holding the demo data, signs in as the demo
Administrator in Chromium (Debian's ``/usr/bin/chromium``, through Playwright) at 1280x800, and
saves what the License Checkout page shows, with two checkouts selected. ``--out`` writes
elsewhere, ``--chromium`` names another browser.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from playwright.sync_api import Page, ViewportSize, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
VIEWPORT: ViewportSize = {"width": 1280, "height": 800}
LOGIN = ("admin@example.com", "entitle-demo")
LARGEST = 300_000
"""Bytes: a bigger PNG is refused, since the README carries it in the repository."""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "portal.png")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    if not Path(args.chromium).exists():
        print(f"screenshot: no browser at {args.chromium} (apt-get install chromium)")
        return 2
    with tempfile.TemporaryDirectory(prefix="entitle-screenshot-") as data_dir:
        env = {k: v for k, v in os.environ.items() if k != "ENTITLE_DATABASE_URL"}
        env["ENTITLE_DATA_DIR"] = data_dir
        for command in (["db", "upgrade"], ["demo"]):
            subprocess.run([BIN / "entitle", *command], env=env, check=True, capture_output=True)
        port = _free_port()
        log = (Path(data_dir) / "serve.log").open("wb")
        server = subprocess.Popen(
            [BIN / "entitle", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_ready(url, server)
            _shoot(url, args.chromium, args.out)
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.close()
    size = args.out.stat().st_size
    print(f"screenshot: wrote {args.out} ({size // 1000} KB)")
    if size > LARGEST:
        print(
            f"screenshot: {args.out} is over {LARGEST // 1000} KB; keep the README's images small"
        )
        return 1
    return 0


def _shoot(url: str, chromium: str, out: Path) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        context = browser.new_context(viewport=VIEWPORT, locale="en-GB")
        page = context.new_page()
        page.goto(f"{url}/login")
        page.get_by_label("Email").fill(LOGIN[0])
        page.get_by_label("Password").fill(LOGIN[1])
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("heading", name="License Checkout").wait_for()
        for grid in ("#checkouts-table", "#history-table"):
            _wait_for_rows(page, grid)
        listed = page.locator("#checkouts-table .tabulator-row")
        for row in (listed.nth(1), listed.nth(2)):  # a selection, as before a check-in
            row.locator(".tabulator-cell[tabulator-field='select'] input").check()
        page.mouse.move(0, 0)  # no hover highlight in the picture
        out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out))
        browser.close()


def _wait_for_rows(page: Page, grid: str) -> None:
    page.wait_for_function(
        """(grid) => {
            const root = document.querySelector(grid);
            return root && !root.querySelector('.tabulator-alert')
              && (root.querySelector('.tabulator-row') || root.querySelector('.grid-empty'));
        }""",
        arg=grid,
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_ready(url: str, server: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"screenshot: entitle serve exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/readyz", timeout=1) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.1)
    raise SystemExit(f"screenshot: entitle serve did not answer {url}/readyz in {seconds:.0f} s")


if __name__ == "__main__":
    sys.exit(main())
