"""The admin API of webhooks: add (the secret once), list, change, disable and enable,
remove; the delivery log, redeliver and a test event, delivered to a real receiver."""

from __future__ import annotations

import httpx
import pytest
from standardwebhooks.webhooks import Webhook

from entitle.service.delivery import deliver_due
from entitle.service.worker import LEASE_MARGIN
from tests.integration.api.conftest import Api, assert_problem
from tests.receiver import receiver

HOOKS = "/api/v1/admin/webhooks"
PUBLIC = {"url": "https://tickets.example.com/hooks/entitle", "description": "Ticketing"}


def _drain(api: Api) -> None:
    with httpx.Client(timeout=5) as client:
        while deliver_due(api.world.services, client, lease=LEASE_MARGIN, allow_loopback=True):
            pass


def test_an_administrator_adds_an_endpoint_and_sees_its_secret_only_then(api: Api) -> None:
    added = api.post(HOOKS, json={**PUBLIC, "event_types": ["checkout.expiring"]})
    assert added.status_code == 201, added.text
    body = added.json()
    assert body["secret"].startswith("whsec_")
    Webhook(body["secret"])  # a secret the standardwebhooks package takes
    assert body["event_types"] == ["checkout.expiring"]
    assert body["enabled"] is True
    assert body["created_by"] == "admin@example.com"
    listed = api.get(HOOKS).json()["items"]
    assert [e["url"] for e in listed] == [PUBLIC["url"]]
    assert "secret" not in listed[0]
    assert body["secret"] not in api.get(f"{HOOKS}/{body['id']}").text
    assert api.get(HOOKS, "other_admin").json()["items"] == []


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://tickets.example.com/in", "WEBHOOK_URL_NOT_HTTPS"),
        ("https://127.0.0.1/in", "WEBHOOK_URL_INTERNAL"),
        ("https://10.0.0.8/in", "WEBHOOK_URL_INTERNAL"),
        ("not a url", "WEBHOOK_URL_INVALID"),
    ],
)
def test_urls_outside_the_rules_are_refused_saying_what_to_change(
    api: Api, url: str, code: str
) -> None:
    problem = assert_problem(api.post(HOOKS, json={"url": url}), 422, "url")
    assert problem["code"] == code
    assert api.get(HOOKS).json()["items"] == []


def test_unknown_event_types_and_nul_are_refused(api: Api) -> None:
    assert_problem(api.post(HOOKS, json={**PUBLIC, "event_types": ["checkout.eaten"]}), 422)
    assert_problem(api.post(HOOKS, json={**PUBLIC, "description": "a\x00b"}), 422)
    problem = assert_problem(api.post(HOOKS, json={**PUBLIC, "description": "a\x01b"}), 422)
    assert problem["code"] == "WEBHOOK_DESCRIPTION_NOT_TEXT"


def test_only_administrators_keep_webhooks(api: Api) -> None:
    problem = assert_problem(api.get(HOOKS, "co_admin"), 403)
    assert problem["code"] == "ROLE_CANNOT_MANAGE_WEBHOOKS"
    assert_problem(api.post(HOOKS, "user", json=PUBLIC), 403)


def test_change_disable_enable_and_remove(api: Api) -> None:
    endpoint = api.post(HOOKS, json=PUBLIC).json()
    one = f"{HOOKS}/{endpoint['id']}"
    changed = api.client.patch(one, headers=api.auth("admin"), json={"enabled": False})
    assert changed.status_code == 200, changed.text
    assert changed.json()["enabled"] is False
    assert "admin@example.com" in changed.json()["disabled_reason"]
    assert assert_problem(api.post(f"{one}/test"), 409)["code"] == "WEBHOOK_DISABLED"
    again = api.client.patch(
        one, headers=api.auth("admin"), json={"enabled": True, "event_types": ["user.added"]}
    )
    assert again.json()["enabled"] is True
    assert again.json()["event_types"] == ["user.added"]
    assert api.client.delete(one, headers=api.auth("admin")).status_code == 204
    assert assert_problem(api.get(one), 404)["code"] == "WEBHOOK_NOT_FOUND"


def test_test_event_delivery_log_and_redeliver(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENTITLE_WEBHOOK_ALLOW_LOOPBACK", "true")
    with receiver() as found:
        endpoint = api.post(HOOKS, json={"url": found.url}).json()
        found.secret = endpoint["secret"]
        one = f"{HOOKS}/{endpoint['id']}"
        sent = api.post(f"{one}/test")
        assert sent.status_code == 202, sent.text
        assert sent.json()["status"] == "pending"
        _drain(api)
        (delivery,) = api.get(f"{one}/deliveries").json()["items"]
        assert delivery["status"] == "delivered"
        assert delivery["event_type"] == "webhook.test"
        assert delivery["last_status_code"] == 204
        assert delivery["last_response_ms"] >= 0
        detail = api.get(f"{one}/deliveries/{delivery['id']}").json()
        assert [a["status_code"] for a in detail["attempts_log"]] == [204]
        redelivered = api.post(f"{one}/deliveries/{delivery['id']}/redeliver")
        assert redelivered.json()["status"] == "pending"
        _drain(api)
        assert [r.webhook_id for r in found.received] == [delivery["event_id"]] * 2
        assert all(r.verified for r in found.received)
        missing = api.get(f"{one}/deliveries/999999")
        assert assert_problem(missing, 404)["code"] == "WEBHOOK_DELIVERY_NOT_FOUND"
