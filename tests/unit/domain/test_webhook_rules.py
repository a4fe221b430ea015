"""Which URLs a webhook endpoint may have, and the retry schedule."""

from __future__ import annotations

from datetime import timedelta

import pytest

from entitle.domain.errors import InvalidInput
from entitle.domain.webhooks import RETRY_DELAYS, address_allowed, endpoint_url, retry_after


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example.com/entitle",
        "https://93.184.216.34:8443/in",
        "https://[2606:4700::1111]/in",
    ],
)
def test_public_https_urls_are_kept(url: str) -> None:
    assert endpoint_url(f"  {url} ", allow_loopback=False) == url


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://hooks.example.com/entitle", "WEBHOOK_URL_NOT_HTTPS"),
        ("ftp://hooks.example.com/", "WEBHOOK_URL_INVALID"),
        ("hooks.example.com/entitle", "WEBHOOK_URL_INVALID"),
        ("https://user:pw@hooks.example.com/", "WEBHOOK_URL_INVALID"),
        ("https://hooks.example.com/a b", "WEBHOOK_URL_INVALID"),
        ("https://127.0.0.1/in", "WEBHOOK_URL_INTERNAL"),
        ("https://localhost/in", "WEBHOOK_URL_INTERNAL"),
        ("https://10.1.2.3/in", "WEBHOOK_URL_INTERNAL"),
        ("https://192.168.0.10/in", "WEBHOOK_URL_INTERNAL"),
        ("https://172.16.5.4/in", "WEBHOOK_URL_INTERNAL"),
        ("https://169.254.169.254/latest/meta-data", "WEBHOOK_URL_INTERNAL"),
        ("https://[::1]/in", "WEBHOOK_URL_INTERNAL"),
        ("https://[fd00::1]/in", "WEBHOOK_URL_INTERNAL"),
        ("https://[::ffff:10.0.0.1]/in", "WEBHOOK_URL_INTERNAL"),
        ("https://0.0.0.0/in", "WEBHOOK_URL_INTERNAL"),
    ],
)
def test_other_urls_are_refused_saying_what_to_change(url: str, code: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        endpoint_url(url, allow_loopback=False)
    assert refused.value.code == code
    assert refused.value.field == "url"


def test_the_setting_allows_loopback_over_http_but_never_private_ranges() -> None:
    assert endpoint_url("http://127.0.0.1:8080/in", allow_loopback=True)
    assert endpoint_url("http://localhost:8080/in", allow_loopback=True)
    with pytest.raises(InvalidInput):
        endpoint_url("http://10.0.0.5/in", allow_loopback=True)
    with pytest.raises(InvalidInput):
        endpoint_url("https://192.168.1.1/in", allow_loopback=True)
    assert address_allowed("127.0.0.1", allow_loopback=True)
    assert not address_allowed("127.0.0.1", allow_loopback=False)
    assert not address_allowed("10.0.0.1", allow_loopback=True)


def test_retries_back_off_for_about_a_day_then_stop() -> None:
    assert retry_after(1) == timedelta(seconds=5)
    waits = [retry_after(n) for n in range(1, len(RETRY_DELAYS) + 1)]
    assert waits == sorted(waits)  # type: ignore[type-var]
    assert timedelta(hours=24) < sum(RETRY_DELAYS, timedelta()) < timedelta(hours=30)
    assert retry_after(len(RETRY_DELAYS) + 1) is None
