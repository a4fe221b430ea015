"""Notes on a checkout: kept by administrators, shown with it, limited, audited."""

from __future__ import annotations

from tests.integration.api.conftest import Api, assert_problem


def test_administrators_keep_notes_with_a_checkout_and_each_change_is_audited(api: Api) -> None:
    made = api.create()
    assert made["notes"] is None
    kept = api.put(f"/api/v1/checkouts/{made['id']}/notes", json={"notes": "  Field laptop  "})
    assert kept.status_code == 200, kept.text
    assert kept.json()["notes"] == "Field laptop"
    assert api.get(f"/api/v1/checkouts/{made['id']}").json()["notes"] == "Field laptop"
    listed = api.get("/api/v1/checkouts").json()["items"]
    assert [c["notes"] for c in listed] == ["Field laptop"]
    cleared = api.put(f"/api/v1/checkouts/{made['id']}/notes", "co_admin", json={"notes": ""})
    assert cleared.json()["notes"] is None
    events = [
        e for e in api.get("/api/v1/audit").json()["items"] if e["action"] == "checkout.notes"
    ]
    assert sorted(e["detail"] for e in events) == ["notes cleared", "notes: Field laptop"]


def test_notes_over_2000_characters_are_refused_and_nothing_changes(api: Api) -> None:
    made = api.create()
    api.put(f"/api/v1/checkouts/{made['id']}/notes", json={"notes": "first"})
    long = api.put(f"/api/v1/checkouts/{made['id']}/notes", json={"notes": "x" * 2001})
    assert assert_problem(long, 422, "notes")["code"] == "NOTES_TOO_LONG"
    assert api.get(f"/api/v1/checkouts/{made['id']}").json()["notes"] == "first"
    nul = api.put(f"/api/v1/checkouts/{made['id']}/notes", json={"notes": "a\x00b"})
    assert assert_problem(nul, 422, "notes")["code"] == "NOTES_NOT_TEXT"
    assert "U+0000" in nul.json()["detail"]
    assert api.get(f"/api/v1/checkouts/{made['id']}").json()["notes"] == "first"
    lines = api.put(f"/api/v1/checkouts/{made['id']}/notes", json={"notes": "a\n\tb"})
    assert lines.json()["notes"] == "a\n\tb"
    api.put(f"/api/v1/checkouts/{made['id']}/notes", json={"notes": "first"})
    assert api.get(f"/api/v1/checkouts/{made['id']}").json()["notes"] == "first"
    put = api.put(f"/api/v1/checkouts/{made['id']}/notes", "user", json={"notes": "mine"})
    assert_problem(put, 403)
    other = api.put(f"/api/v1/checkouts/{made['id']}/notes", "other_admin", json={"notes": "x"})
    assert_problem(other, 404)
