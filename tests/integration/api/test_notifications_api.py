"""The organisation's reminder days and who receives e-mail, as its Administrators choose;
the reminders follow the days chosen."""

from __future__ import annotations

from datetime import timedelta

from entitle.service.time_events import produce_time_events
from tests.integration.api.conftest import Api, assert_problem
from tests.integration.events.helpers import events_of, last_event

NOTIFICATIONS = "/api/v1/admin/notifications"


def test_the_defaults_are_a_week_and_a_day_before_and_everyone_emailed(api: Api) -> None:
    assert api.get(NOTIFICATIONS).json() == {
        "reminder_days": [7, 1],
        "email_users": True,
        "email_administrators": True,
    }


def test_an_administrator_chooses_the_days_and_the_reminders_follow(api: Api) -> None:
    changed = api.put(NOTIFICATIONS, json={"reminder_days": [1, 14, 3], "email_users": False})
    assert changed.status_code == 200, changed.text
    assert changed.json() == {
        "reminder_days": [14, 3, 1],
        "email_users": False,
        "email_administrators": True,
    }
    assert api.get(NOTIFICATIONS, "other_admin").json()["reminder_days"] == [7, 1]
    world = api.world
    start = last_event(world)
    api.create(expires_on=str(world.clock.now.date() + timedelta(days=20)))
    world.clock.advance(days=7)  # 14 days before the end: 7 would not be told
    produce_time_events(world.services)
    told = [e.data.get("days_before") for e in events_of(world, after=start)]
    assert told == [None, 14]  # checkout.created, then the 14-day reminder


def test_days_outside_the_rule_and_other_roles_are_refused(api: Api) -> None:
    assert_problem(api.put(NOTIFICATIONS, json={"reminder_days": [0]}), 422)
    assert_problem(api.put(NOTIFICATIONS, json={"reminder_days": [1, 2, 3, 4, 5, 6]}), 422)
    problem = assert_problem(api.get(NOTIFICATIONS, "co_admin"), 403)
    assert problem["code"] == "ROLE_CANNOT_MANAGE_WEBHOOKS"
    assert api.get(NOTIFICATIONS).json()["reminder_days"] == [7, 1]


ALERTS = "/api/v1/admin/usage-alerts"


def test_an_administrator_adds_lists_and_removes_usage_alerts(api: Api) -> None:
    added = api.post(ALERTS, json={"kind": "active_checkouts", "threshold": 40, "country": "us"})
    assert added.status_code == 201, added.text
    alert = added.json()
    assert alert | {"id": 0} == {
        "id": 0,
        "kind": "active_checkouts",
        "threshold": 40,
        "application": None,
        "country": "US",
        "above": False,
    }
    assert [a["id"] for a in api.get(ALERTS).json()["items"]] == [alert["id"]]
    assert api.get(ALERTS, "other_admin").json()["items"] == []
    assert_problem(api.post(ALERTS, json={"kind": "monthly_hours", "threshold": 0}), 422)
    assert_problem(api.post(ALERTS, json={"kind": "peak", "threshold": 3}), 422)
    gone = api.client.delete(f"{ALERTS}/{alert['id']}", headers=api.auth("admin"))
    assert gone.status_code == 204
    missing = api.client.delete(f"{ALERTS}/{alert['id']}", headers=api.auth("admin"))
    assert assert_problem(missing, 404)["code"] == "USAGE_ALERT_NOT_FOUND"


def test_a_usage_alert_names_a_catalog_application_and_an_entitlement_country(api: Api) -> None:
    refused = assert_problem(
        api.post(
            ALERTS,
            json={
                "kind": "monthly_hours",
                "threshold": 5,
                "application": "Nowhere Suite",
                "country": "FR",
            },
        ),
        422,
    )
    assert refused["code"] == "APPLICATION_UNKNOWN"
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [
        ("application", "APPLICATION_UNKNOWN"),
        ("country", "COUNTRY_NOT_ENTITLED"),
    ]
    assert api.get(ALERTS).json()["items"] == []
    added = api.post(
        ALERTS, json={"kind": "monthly_hours", "threshold": 9, "application": "atlas designer"}
    )
    assert added.status_code == 201, added.text
    assert added.json()["application"] == "Atlas Designer"
