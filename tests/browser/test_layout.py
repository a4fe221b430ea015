"""Layout and legibility of the License Checkout page, measured in Chromium: element boxes
(nothing overlaps, nothing is cut without an ellipsis and its full text, nothing scrolls the
page sideways on a phone) and computed colours (text contrast at least 4.5:1, WCAG AA).

These tests run on a server of their own: they add a checkout with long values."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import shot
from tests.browser.portal import SELECT_ADMIN, log_in, open_checkouts, rows, wait_for_rows
from tests.browser.server import entitle, serving

pytestmark = pytest.mark.browser

HISTORY = "#history-table"
LONG_MACHINE = "LAB-" + "LONGNAME" * 7 + "-42"  # 62 characters, within the 63 allowed
LONG_USER = "maximilian.alexander.vandenberg-oppenheimer@engineering.example.com"
LONG_APPLICATIONS = [
    ("Atlas Designer", "10.17.2.61"),
    ("Bridgeworks", "24.0.1.5"),
    ("Civil Suite", "2024.1.0.3"),
    ("Hydro Analyst", "6.2.0.14"),
    ("Road Planner", "10.14.0.81"),
]


@pytest.fixture(scope="module")
def long_server(tmp_path_factory: pytest.TempPathFactory, browser) -> Iterator[str]:  # type: ignore[no-untyped-def]
    data_dir: Path = tmp_path_factory.mktemp("layout")
    entitle(data_dir, "db", "upgrade")
    entitle(data_dir, "demo")
    with serving(data_dir) as url:
        yield url


def post_json(page: Page, path: str, body: dict[str, Any]) -> Any:
    """POST to the API from the page, with its session and CSRF token, as the portal does."""
    answer = page.evaluate(
        """async ([path, body]) => {
            const meta = (n) => document.querySelector(`meta[name="${n}"]`).content;
            const response = await fetch(`/api/v1${path}`, {
              method: "POST",
              headers: {
                "Content-Type": "application/json",
                [meta("csrf-header")]: meta("csrf-token"),
              },
              body: JSON.stringify(body),
            });
            return {status: response.status, body: await response.json()};
        }""",
        [path, body],
    )
    assert answer["status"] < 300, answer
    return answer["body"]


@pytest.fixture(scope="module")
def long_checkout(long_server: str, browser) -> str:  # type: ignore[no-untyped-def]
    """A checkout whose user, machine and applications are longer than their columns."""
    context = browser.new_context()
    page = context.new_page()
    open_checkouts(page, long_server)
    post_json(
        page,
        "/checkouts",
        {
            "country": "US",
            "license_service": "SES",
            "user": LONG_USER,
            "machine": LONG_MACHINE,
            "applications": [{"name": n, "version": v} for n, v in LONG_APPLICATIONS],
            "expires_on": (date.today() + timedelta(days=1)).isoformat(),
        },
    )
    context.close()
    return LONG_MACHINE


def boxes(page: Page, selector: str) -> list[dict[str, float]]:
    return page.eval_on_selector_all(
        selector,
        "els => els.filter(e => e.checkVisibility()).map(e => {"
        " const r = e.getBoundingClientRect();"
        " return {x: r.left, y: r.top, width: r.width, height: r.height}; })",
    )


def overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["x"] < b["x"] + b["width"] - 0.5
        and b["x"] < a["x"] + a["width"] - 0.5
        and a["y"] < b["y"] + b["height"] - 0.5
        and b["y"] < a["y"] + a["height"] - 0.5
    )


def header_parts(page: Page, grid: str) -> list[dict[str, Any]]:
    """Each column header's box and the boxes of its title text, filter button and sort arrow."""
    return page.eval_on_selector_all(
        f"{grid} .tabulator-header .tabulator-col",
        """cols => cols.map(col => {
            const box = (e) => { if (!e) return null; const r = e.getBoundingClientRect();
              return r.width ? {x: r.left, y: r.top, width: r.width, height: r.height} : null; };
            const own = col.querySelector('.col-title-text');
            const text = own || col.querySelector('.tabulator-col-title');
            let textBox = own ? box(own) : null;
            if (!own && text && text.textContent.trim()) {
              const range = document.createRange();
              range.selectNodeContents(text);
              textBox = box(range);
            }
            const sorter = col.querySelector('.tabulator-col-sorter');
            const visible = sorter && getComputedStyle(sorter).visibility !== 'hidden'
              && getComputedStyle(sorter).display !== 'none';
            return {
              title: col.querySelector('.tabulator-col-title')?.textContent.trim() ?? '',
              column: box(col),
              text: textBox,
              clipped: text ? text.scrollWidth > text.clientWidth + 1 : false,
              filter: box(col.querySelector('.filter-button')),
              sorter: visible ? box(sorter.querySelector('.tabulator-arrow') || sorter) : null,
            };
        })""",
    )


@pytest.mark.parametrize("width", [1360, 1024])
def test_history_header_titles_filter_icons_and_sort_arrows_do_not_overlap(
    page: Page, long_server: str, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    open_checkouts(page, long_server)
    parts = header_parts(page, HISTORY)
    titled = [p for p in parts if p["title"]]
    assert any(p["title"] == "License service" for p in titled)
    for part in titled:
        pieces = [p for p in (part["text"], part["filter"], part["sorter"]) if p]
        assert len(pieces) >= 2, part
        for i, one in enumerate(pieces):
            for other in pieces[i + 1 :]:
                assert not overlap(one, other), f"{part['title']}: {one} overlaps {other}"
        assert not part["clipped"], f"the title {part['title']!r} is cut"


@pytest.mark.parametrize("grid", ["#checkouts-table", HISTORY])
def test_each_sort_arrow_sits_inside_its_own_column_clear_of_the_next_title(
    page: Page, long_server: str, grid: str
) -> None:
    open_checkouts(page, long_server)
    parts = header_parts(page, grid)
    for index, part in enumerate(parts):
        if not part["sorter"]:
            continue
        arrow, column = part["sorter"], part["column"]
        assert column["x"] - 0.5 <= arrow["x"]
        assert arrow["x"] + arrow["width"] <= column["x"] + column["width"] + 0.5, part["title"]
        for later in parts[index + 1 :]:
            if later["text"]:
                assert not overlap(arrow, later["text"]), (part["title"], later["title"])
        # The arrow follows its own title, nearer to it than to the next column's title.
        own = part["text"]
        assert own is not None
        # The title ends with its filter button, where it has one.
        end = max(b["x"] + b["width"] for b in (own, part["filter"]) if b)
        own_gap = arrow["x"] - end
        assert 0 <= own_gap <= 12, f"{part['title']}: the arrow is {own_gap}px from its title"
        following = next((p["text"] for p in parts[index + 1 :] if p["text"]), None)
        if following:
            assert following["x"] - (arrow["x"] + arrow["width"]) > own_gap, part["title"]


def cut_cells(page: Page, grid: str, machine: str) -> list[dict[str, Any]]:
    """Cells of the row whose text does not fit: how each one shows that, and its tooltip."""
    return page.eval_on_selector_all(
        f"{grid} .tabulator-row",
        """(rows, machine) => {
            const row = rows.find(r => r.textContent.includes(machine));
            if (!row) return null;
            const found = [];
            for (const el of row.querySelectorAll('.tabulator-cell, .tabulator-cell *')) {
              if (!el.firstChild || el.scrollWidth <= el.clientWidth + 1) continue;
              if (!el.textContent.trim() || el.closest('.row-detail')) continue;
              const style = getComputedStyle(el);
              if (style.overflowX === 'visible') continue;
              const holder = el.closest('[title]');
              found.push({
                text: el.textContent.trim(),
                ellipsis: style.textOverflow === 'ellipsis' && style.whiteSpace === 'nowrap',
                title: holder ? holder.getAttribute('title') : null,
              });
            }
            return found;
        }""",
        machine,
    )


@pytest.mark.parametrize("grid", ["#checkouts-table", HISTORY])
def test_long_users_machines_and_applications_end_in_an_ellipsis_with_the_full_text_as_tooltip(
    page: Page, long_server: str, long_checkout: str, grid: str
) -> None:
    open_checkouts(page, long_server)
    if grid == HISTORY:
        page.locator(HISTORY).get_by_role("button", name="Filter Machine name").click()
        page.get_by_label("Machine name contains").fill(LONG_MACHINE)
        page.get_by_role("button", name="Apply").click()
    expect(rows(page, grid).filter(has_text=LONG_MACHINE)).to_have_count(1)
    wait_for_rows(page, grid)
    cut = cut_cells(page, grid, LONG_MACHINE)
    assert cut, "the long values fit: the test shows nothing"
    for cell in cut:
        assert cell["ellipsis"], f"{cell['text']!r} is cut with no ellipsis"
        assert cell["title"], f"{cell['text']!r} has no tooltip"
        assert cell["text"] in cell["title"]
    row = rows(page, grid).filter(has_text=LONG_MACHINE)
    assert row.locator(f"[title='{LONG_MACHINE}']").count() == 1
    assert row.locator(f"[title*='{LONG_USER}']").count() >= 1
    if grid == HISTORY:
        everything = ", ".join(f"{n} {v}" for n, v in LONG_APPLICATIONS)
        assert row.locator(f"[title='{everything}']").count() == 1
    shot(page, f"long-values-{grid.strip('#')}")


def test_the_toast_of_a_long_file_name_wraps_inside_the_window_and_leaves_the_pager_free(
    page: Page, long_server: str, long_checkout: str
) -> None:
    open_checkouts(page, long_server)
    pager = page.locator("#checkouts-table .tabulator-paginator")
    pager.scroll_into_view_if_needed()
    page.evaluate(
        "() => document.querySelector('#checkouts-table .tabulator-footer')"
        ".scrollIntoView({block: 'end'})"
    )
    row = rows(page).filter(has_text=LONG_MACHINE)
    with page.expect_download():
        row.get_by_role("button", name="Download the license file").click()
    toast = page.locator("#toast")
    expect(toast).to_contain_text(LONG_MACHINE)
    page.evaluate(
        "() => document.querySelector('#checkouts-table .tabulator-footer')"
        ".scrollIntoView({block: 'end'})"
    )
    [box] = boxes(page, "#toast")
    viewport = page.viewport_size
    assert viewport is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= viewport["width"]
    assert box["y"] >= 0
    assert box["y"] + box["height"] <= viewport["height"]
    assert toast.evaluate("e => e.scrollWidth <= e.clientWidth")
    for pager_box in boxes(page, ".tabulator-paginator"):
        assert not overlap(box, pager_box), f"the toast {box} covers the pager {pager_box}"
    shot(page, "toast-long-file-name", full_page=False)


@pytest.mark.parametrize("path", ["/checkouts", "/usage", "/my-checkouts", "/catalog"])
def test_at_390_pixels_the_top_bar_fits_and_the_page_does_not_scroll_sideways(
    page: Page, long_server: str, path: str
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, long_server, SELECT_ADMIN)
    expect(page.get_by_role("heading", name="License Checkout")).to_be_visible()
    page.goto(f"{long_server}{path}")
    page.wait_for_load_state("networkidle")
    width = page.evaluate("document.documentElement.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    for box in boxes(page, ".topbar, .topbar *"):
        assert box["x"] >= -0.5, box
        assert box["x"] + box["width"] <= width + 0.5, box
    expect(page.get_by_role("button", name="Log out")).to_be_in_viewport()
    expect(page.get_by_role("link", name="Usage")).to_be_in_viewport()
    shot(page, f"phone{path.replace('/', '-')}", full_page=False)


def test_at_1280_pixels_the_top_bar_is_one_row_of_one_line_items_with_administration_in_a_menu(
    page: Page, long_server: str
) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, long_server, SELECT_ADMIN)
    expect(page.get_by_role("heading", name="License Checkout")).to_be_visible()
    items = boxes(page, ".topbar-nav > a, .topbar-nav > .topbar-menu > summary")
    assert len(items) == 5, items  # four links and the Administration menu
    line = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.topbar-nav a')).lineHeight)"
    )
    for box in items:
        assert box["y"] == pytest.approx(items[0]["y"], abs=0.5), items
        assert box["height"] < 2 * line, f"a top bar item wraps: {box}"
    for a, b in itertools.pairwise(items):
        assert not overlap(a, b), (a, b)
    bar = boxes(page, ".topbar")[0]
    assert bar["height"] <= 57, bar

    nav = page.get_by_role("navigation", name="Portal")
    users = nav.get_by_role("link", name="Users")
    expect(users).to_be_hidden()
    nav.locator("summary", has_text="Administration").click()
    expect(users).to_be_visible()
    page.keyboard.press("Escape")
    expect(users).to_be_hidden()
    nav.locator("summary", has_text="Administration").click()
    page.get_by_role("heading", name="License Checkout").click()
    expect(users).to_be_hidden()
    nav.locator("summary", has_text="Administration").click()
    users.click()
    expect(page.get_by_role("heading", name="Users", exact=True)).to_be_visible()
    expect(nav.locator("summary.current", has_text="Administration")).to_have_count(1)
    shot(page, "topbar-1280", full_page=False)


CONTRAST = (Path(__file__).with_name("contrast.js")).read_text()


@pytest.mark.parametrize("path", ["/checkouts", "/usage", "/catalog"])
def test_every_text_on_the_page_has_a_contrast_of_at_least_4_5_to_1(
    page: Page, long_server: str, path: str
) -> None:
    open_checkouts(page, long_server)
    if path != "/checkouts":
        page.goto(f"{long_server}{path}")
        page.wait_for_load_state("networkidle")
    else:
        page.get_by_role("switch", name="Expired").check()
        wait_for_rows(page, "#checkouts-table")
        rows(page).first.get_by_role("button", name="Show the applications").click()
        page.get_by_role("button", name="Filter Status").click()
    assert page.evaluate(CONTRAST) == []
