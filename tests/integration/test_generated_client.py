"""A typed Python client generated from a running server's /openapi.json drives a checkout.

What a product developer does: generate the client with openapi-python-client (no network),
then create a checkout, find it in the list, download its license file, verify that file
against the server's issuer root, and check the checkout in.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from entitle.licensefile import TrustedIssuers, fingerprint, load_certificates, verify
from tests.servers import entitle, server_environment, serving

BIN = Path(sys.executable).parent
MACHINE = "GEN-WS-1"
# What the generator reads as bytes or text beside JSON, as the README's example configures it.
CONFIG = """\
content_type_overrides:
  application/zip: application/octet-stream
  application/pkix-crl: application/octet-stream
  application/x-pem-file: text/plain
  application/jose: text/plain
  text/csv: application/octet-stream
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, str]]:
    """A running server with the demo data: its URL, an administrator's token, its root's
    fingerprint as ``entitle keys fingerprint`` prints it."""
    directory = tmp_path_factory.mktemp("server")
    env = server_environment(directory / "data")
    entitle(env, "db", "upgrade")
    entitle(env, "demo")
    token = entitle(env, "token", "create", "--email", "admin@example.com").split()[-1]
    pinned = entitle(env, "keys", "fingerprint").split()[-1]
    with serving(env, directory / "serve.log") as running:
        yield running.url, token, pinned


@pytest.fixture(scope="module")
def client_package(
    server: tuple[str, str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The client generated from the server's document, importable as ``entitle_client``."""
    url, _, _ = server
    directory = tmp_path_factory.mktemp("generated")
    document = directory / "openapi.json"
    document.write_bytes(httpx.get(f"{url}/openapi.json").content)
    config = directory / "config.yaml"
    config.write_text(CONFIG)
    generated = subprocess.run(
        [
            str(BIN / "openapi-python-client"),
            "generate",
            "--path",
            str(document),
            "--output-path",
            str(directory / "entitle_client"),
            "--meta",
            "none",
            "--config",
            str(config),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"},
        check=False,
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    assert "WARNING" not in generated.stdout + generated.stderr, generated.stdout
    sys.path.insert(0, str(directory))
    try:
        yield "entitle_client"
    finally:
        sys.path.remove(str(directory))
        for name in [m for m in sys.modules if m.split(".")[0] == "entitle_client"]:
            del sys.modules[name]


def _module(package: str, name: str) -> ModuleType:
    return importlib.import_module(f"{package}.{name}")


def _ids(page: Any) -> list[str]:
    return [item.id for item in page.items]


@pytest.mark.slow
def test_a_generated_client_creates_lists_downloads_and_checks_in_a_checkout(
    server: tuple[str, str, str], client_package: str
) -> None:
    url, token, pinned = server
    package = importlib.import_module(client_package)
    models = _module(client_package, "models")
    create_checkout = _module(client_package, "api.checkouts.create_checkout")
    list_checkouts = _module(client_package, "api.checkouts.list_checkouts")
    download = _module(client_package, "api.license_files.download_license_file")
    check_in = _module(client_package, "api.check_in.check_in_checkout")
    issuer_root = _module(client_package, "api.keys.get_issuer_root")
    readiness = _module(client_package, "api.health.check_readiness")
    client = package.AuthenticatedClient(base_url=url, token=token)

    created = create_checkout.sync(
        client=client,
        body=models.CheckoutCreate(
            country="US",
            license_service="SES",
            user="admin@example.com",
            machine=MACHINE,
            applications=[models.ApplicationLine(name="Atlas Designer", version="10.17.2.61")],
        ),
    )
    assert isinstance(created, models.CheckoutOut), created
    assert created.status == models.Status.ACTIVE
    listed = list_checkouts.sync(client=client, machine=MACHINE)
    assert isinstance(listed, models.CheckoutPageOut)
    assert _ids(listed) == [created.id]

    license_file = download.sync(client=client, checkout_id=created.id)
    data = license_file.payload.read()
    # Readiness answers its report, ready or not: the client reads both as the same model.
    ready = readiness.sync(client=package.Client(base_url=url))
    assert isinstance(ready, models.ReadinessOut), ready
    assert ready.status == models.ReadinessOutStatus.READY
    root_pem = issuer_root.sync(client=package.Client(base_url=url))
    roots = load_certificates(root_pem.encode())
    assert [fingerprint(der) for der in roots] == [pinned]
    claims = verify(
        data, TrustedIssuers.for_roots(roots), now=datetime.now(UTC), machine_name=MACHINE
    )
    assert claims.checkout_id == created.id
    assert claims.covers("Atlas Designer", "10.17.2.61")

    checked_in = check_in.sync(client=client, checkout_id=created.id)
    assert isinstance(checked_in, models.CheckoutOut)
    assert checked_in.status == models.Status.CHECKED_IN
    history = list_checkouts.sync(client=client, machine=MACHINE, status=models.Listing.CHECKED_IN)
    assert _ids(history) == [created.id]
    assert history.items[0].check_in_method == models.CheckInMethod.PORTAL
    assert history.items[0].checked_in_by == "admin@example.com"


@pytest.mark.slow
def test_a_generated_client_gets_refusals_as_typed_problems_with_their_codes(
    server: tuple[str, str, str], client_package: str
) -> None:
    url, token, _ = server
    package = importlib.import_module(client_package)
    models = _module(client_package, "models")
    create_checkout = _module(client_package, "api.checkouts.create_checkout")
    get_checkout = _module(client_package, "api.checkouts.get_checkout")
    client = package.AuthenticatedClient(base_url=url, token=token)

    refused = create_checkout.sync(
        client=client,
        body=models.CheckoutCreate(
            country="ZZ",
            license_service="SES",
            user="admin@example.com",
            machine=MACHINE,
            applications=[models.ApplicationLine(name="Atlas Designer", version="10.17.2.61")],
        ),
    )
    assert isinstance(refused, models.CreateCheckoutResponse422)
    assert refused.code == models.CreateCheckoutResponse422Code.COUNTRY_NOT_ENTITLED
    assert refused.errors[0].field == "country"
    missing = get_checkout.sync(client=client, checkout_id="no-such-checkout")
    assert isinstance(missing, models.GetCheckoutResponse404)
    assert missing.code == models.GetCheckoutResponse404Code.CHECKOUT_NOT_FOUND
    anonymous = get_checkout.sync(client=package.Client(base_url=url), checkout_id="x")
    assert isinstance(anonymous, models.GetCheckoutResponse401)
