"""With 100,000 checkouts the page shows its first page and re-sorts the whole history in SQL.

How long each step takes is written to ``test-artifacts/portal-100k-timings.txt`` for reading;
no test depends on a timing (speed is measured by ``make bench``).

The database is filled by the bench loader (``bench/loader.py``). Its license files come from a
placeholder signer: these checkouts are listed, sorted and paged, never downloaded.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from bench.loader import load
from playwright.sync_api import Locator, Page, expect

from entitle.store.database import database_url, make_engine
from tests.browser.conftest import ARTIFACTS
from tests.browser.portal import column, log_in, wait_for_rows
from tests.browser.server import serving
from tests.servers import FAST_HASHES

pytestmark = pytest.mark.browser

COUNT = 100_000
HISTORY = "#history-table"
HISTORY_PAGE = "page_size=25"


class PlaceholderSigner:
    def sign(self, claims: object) -> bytes:
        return b"placeholder license file"


@pytest.fixture(scope="module")
def many_server(
    tmp_path_factory: pytest.TempPathFactory, browser
) -> Iterator[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    """A served database of COUNT checkouts; yields (url, admin email, password)."""
    data_dir = tmp_path_factory.mktemp("many")
    engine = make_engine(database_url(data_dir))
    with pytest.MonkeyPatch.context() as patch:
        for name, value in FAST_HASHES.items():
            patch.setenv(name, value)
        world = load(engine, COUNT, progress=False, signer=PlaceholderSigner())
    engine.dispose()
    with serving(data_dir) as url:
        yield url, world.dominant.admin_email, world.admin_password


def timed(action: Callable[[], object], done: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    done()
    return time.perf_counter() - started


def sorted_rows_shown(page: Page, header: Locator) -> None:
    """Click a header and wait for the sorted page to arrive and be drawn."""
    with page.expect_response(lambda r: "/api/v1/checkouts?" in r.url and HISTORY_PAGE in r.url):
        header.click()
    wait_for_rows(page, HISTORY)


def test_the_first_page_and_re_sorts_of_100000_checkouts_show_sorted_rows(
    page: Page, many_server: tuple[str, str, str]
) -> None:
    url, email, password = many_server
    log_in(page, url, email, password)
    wait_for_rows(page, HISTORY)

    def rendered() -> None:
        wait_for_rows(page, HISTORY)
        wait_for_rows(page, "#checkouts-table")

    timings = {"first page": timed(lambda: page.goto(f"{url}/checkouts"), rendered)}
    expect(page.locator(f"{HISTORY} .tabulator-row")).to_have_count(25)

    # Widen the history to every country of the organisation: a third of the 100,000 or more
    # (the rest expired over three months ago and left it).
    page.get_by_role("button", name="Filter Country").click()
    page.get_by_role("dialog", name="Filter Country").get_by_label(
        "Entitlement country"
    ).select_option("")
    page.get_by_role("button", name="Apply").click()
    wait_for_rows(page, HISTORY)
    total = int(page.locator(f"{HISTORY} .tabulator-page-counter").inner_text().split()[-2])
    assert total > COUNT * 0.3

    for title, field in (("Machine name", "machine"), ("Expires", "expires_at"), ("User", "user")):
        header = page.locator(f"{HISTORY} .tabulator-col").filter(has_text=title).first
        label = header.get_by_text(title, exact=True)
        timings[f"sort {total} by {title}"] = timed(
            lambda label=label: sorted_rows_shown(page, label), lambda: None
        )
        expect(header).to_have_attribute("aria-sort", "ascending")
        if field == "machine":
            shown = column(page, field)
            assert shown == sorted(shown, key=str.upper)

    report = "\n".join(f"{name}: {seconds * 1000:.0f} ms" for name, seconds in timings.items())
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "portal-100k-timings.txt").write_text(f"{COUNT} checkouts\n{report}\n")
    print(report)


def test_selecting_every_match_of_100000_checkouts_stops_at_1000_and_says_so(
    page: Page, many_server: tuple[str, str, str]
) -> None:
    url, email, password = many_server
    log_in(page, url, email, password)
    wait_for_rows(page, "#checkouts-table")
    page.get_by_role("checkbox", name="Select every active checkout on this page").check()
    page.get_by_role("button", name="Select every active checkout that matches").click()
    note = page.locator("#selection-note")
    expect(note).to_contain_text("Selected the first 1,000 of ")
    expect(note).to_contain_text("one check-in or download takes at most 1,000")
    expect(page.locator("#selection-count")).to_have_text("1,000 checkouts selected")
    expect(page.get_by_role("button", name="Download license")).to_be_enabled()
