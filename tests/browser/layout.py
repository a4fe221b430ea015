"""Element boxes measured in Chromium: what people see does not overlap, is not cut and stays
inside the window, in any language and at any width."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

# What a page's text and controls are made of, for assert_no_overlaps.
CONTROLS = (
    "button",
    "a",
    "label",
    "input",
    "select",
    "h1",
    "h2",
    "h3",
    "legend",
    "th",
    ".tabulator-col-title",
    ".topbar-nav > a, .topbar-menu > summary, .topbar-end > *",
)

# Each visible element of the selectors: its boxes as seen (one per line of an inline element,
# cut to the scrolling areas it is in), and whether its content is wider or taller than it.
MEASURE = Path(__file__).with_name("layout.js").read_text()


def measure(page: Page, selector_groups: Sequence[str]) -> dict[str, Any]:
    return page.evaluate(MEASURE, list(selector_groups))


def assert_no_overlaps(page: Page, selector_groups: Sequence[str] = CONTROLS) -> int:
    """No two visible elements matched by ``selector_groups`` (CSS selectors; an element and
    what it contains are not compared) overlap, none has text its box cuts and none reaches
    outside the window. Returns how many elements were measured. Boxes are measured once the
    page's transitions have ended (a panel slides in: on a busy machine it may still be on its
    way when the text it shows is there)."""
    page.wait_for_function("() => document.getAnimations().every((a) => a.playState !== 'running')")
    found = measure(page, selector_groups)
    assert found["count"], f"nothing visible matches {list(selector_groups)}"
    assert not found["problems"], "\n".join(found["problems"])
    return int(found["count"])


def within(scope: str, selectors: Sequence[str] = CONTROLS) -> list[str]:
    """``selectors`` inside ``scope`` (``#new-panel``): ``#new-panel button`` and so on."""
    return [", ".join(f"{scope} {part.strip()}" for part in s.split(",")) for s in selectors]
