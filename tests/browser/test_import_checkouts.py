"""Import checkouts from a CSV file: drop it on the New panel, see its problems, fix the file,
drop it again, create, and download the zip of license files."""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import shot
from tests.browser.portal import open_checkouts, row_of

pytestmark = pytest.mark.browser

HEADER = "user;machine;country;license_service;applications;expires_on;activation_key;notes"


def _file(version: str) -> str:
    stamp = datetime.now(UTC).strftime("%H%M%S")
    return (
        "\n".join(
            [
                HEADER,
                f"ana.lima@example.com;IMP-{stamp}-1;US;SES;Atlas Designer 10.17.2.61;;;Ship A",
                f"ben.carter@example.com;IMP-{stamp}-2;US;SES;Bridgeworks 24.0.1.5;;;",
                f"ana.lima@example.com;IMP-{stamp}-3;US;SES;Atlas Designer {version};;;",
            ]
        )
        + "\n"
    )


def drop(page: Page, target: str, name: str, text: str) -> None:
    """Drop a file as a person drags it from their desktop onto ``target``."""
    page.evaluate(
        """([target, name, text]) => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([text], name, { type: "text/csv" }));
            const where = document.querySelector(target);
            for (const type of ["dragenter", "dragover", "drop"]) {
                const init = { dataTransfer: transfer, bubbles: true, cancelable: true };
                where.dispatchEvent(new DragEvent(type, init));
            }
        }""",
        [target, name, text],
    )


def test_drop_see_the_problem_fix_the_file_create_and_download_the_zip(
    page: Page, demo_server: str, tmp_path: Path
) -> None:
    open_checkouts(page, demo_server)
    page.get_by_role("button", name="New").click()
    expect(page.locator("#new-panel")).to_be_visible()
    bad = _file("10.99.0.0")
    drop(page, "#new-panel", "site.csv", bad)

    dialog = page.get_by_role("dialog", name="Import checkouts")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#import-summary")).to_have_text("3 rows: 2 valid, 1 with problems.")
    problem = dialog.locator("tr[data-row='4'] td.problem[data-column='applications']")
    expect(problem).to_contain_text("has no released version '10.99.0.0'")
    expect(dialog.get_by_role("list", name="Problems")).to_contain_text("Row 4, applications:")
    expect(dialog.get_by_role("button", name="Create 3 checkouts")).to_be_disabled()
    shot(page, "import-problems")

    fixed = bad.replace("Atlas Designer 10.99.0.0", "Atlas Designer 10.16.3.12")
    drop(page, "#import-drop", "site-fixed.csv", fixed)
    expect(dialog.locator("#import-summary")).to_have_text("3 rows: 3 valid, 0 with problems.")
    expect(dialog.locator("td.problem")).to_have_count(0)
    with page.expect_download() as downloading:
        dialog.get_by_role("button", name="Create 3 checkouts").click()
    saved = tmp_path / downloading.value.suggested_filename
    downloading.value.save_as(saved)
    assert saved.suffix == ".zip"
    names = zipfile.ZipFile(saved).namelist()
    assert len(names) == 3
    assert all(n.endswith(".belic") for n in names)
    expect(dialog.locator("#import-summary")).to_have_text("Created 3 checkouts.")
    expect(dialog.get_by_role("button", name="Download license files")).to_be_visible()
    shot(page, "import-created")
    machine = fixed.splitlines()[1].split(";")[1]
    dialog.get_by_role("button", name="Close").click()
    page.get_by_role("button", name="Close the new checkout panel").click()
    expect(row_of(page, machine)).to_have_count(1)
