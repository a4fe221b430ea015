"""Mutated store files: the loader answers with our own errors, and ``check`` never grants a
run on claims other than those signed."""

from __future__ import annotations

import base64
import json
import random
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from entitle.licensefile import (
    SELECTSERVER,
    SES,
    KeyRing,
    LicenseClaims,
    LicenseFileError,
    license_digest,
)
from entitle.tool import ToolError, check
from entitle.tool.store import Store, StoredLicense, StoreState
from tests.claims import NOW, make_claims
from tests.unit.fuzz.conftest import SCALE, SEED
from tests.unit.fuzz.mutations import mutate

COUNT = 15_000
ODD_VALUES: list[Any] = [
    None,
    0,
    -1,
    2**70,
    1.5,
    "",
    "x" * 5000,
    [],
    {},
    [[[]]],
    True,
    "2026-13-45T00:00:00Z",
    "AAAA",
    "!!not base64!!",
    {"format": None},
]


def _store_bytes(ring: KeyRing) -> tuple[bytes, list[LicenseClaims], list[bytes]]:
    claims = [make_claims(SES), make_claims(SELECTSERVER, checkout_id="chk-0002")]
    files = [ring.sign(c) for c in claims]
    licenses = {
        c.checkout_id: StoredLicense(
            c.checkout_id, f"{c.checkout_id}.lic", NOW, license_digest(f), f, c
        )
        for c, f in zip(claims, files, strict=True)
    }
    state = StoreState(
        licenses=licenses,
        last_seen=NOW,
        certificates=ring.certificates(NOW),
        revoked_serials=[7],
        servers=["https://licenses.example.com"],
    )
    return state.to_bytes(), claims, files


def _mutate_json(data: bytes, rng: random.Random, files: list[bytes]) -> bytes:
    """Change one value deep in the document: odd types, other claims, another file's bytes."""
    document = json.loads(data)
    node: Any = document
    while True:
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        if not keys:
            break
        key = rng.choice(keys)
        child = node[key]
        if isinstance(child, dict | list) and child and rng.random() < 0.8:
            node = child
            continue
        way = rng.randrange(4)
        if way == 0:
            node[key] = rng.choice(ODD_VALUES)
        elif way == 1 and isinstance(node, dict):
            del node[key]
        elif way == 2:
            forged = mutate(rng.choice(files), rng, files)
            node[key] = base64.b64encode(forged).decode()
        else:
            node[key] = rng.choice(["Designer", "99.9", "WS-2", "2099-01-01T00:00:00Z", "GB"])
        break
    return json.dumps(document).encode()


def _load_and_check(home: Path, data: bytes, originals: list[LicenseClaims], issuer: str) -> str:
    """What became of this store file: damaged, refused or granted; raises on a finding."""
    (home / "store.json").write_bytes(data)
    try:
        Store(home).read()
    except ToolError:
        return "damaged"  # reported and kept aside
    result = check("Designer", "2.1", issuer=issuer, home=home, now=NOW, machine_name="WS-1")
    if result.ok and result.claims not in originals:
        raise AssertionError(f"check granted a run on other claims: {result.claims!r}")
    return "granted" if result.ok else "refused"


@pytest.mark.slow
def test_mutated_store_files_give_only_tool_errors_and_grant_nothing_unsigned(
    key_ring: KeyRing, tmp_path: Path
) -> None:
    original, claims, files = _store_bytes(key_ring)
    rng = random.Random(SEED)
    problems: list[str] = []
    outcomes: Counter[str] = Counter()
    count = COUNT * SCALE
    started = time.perf_counter()
    for number in range(count):
        if rng.random() < 0.5:
            data = _mutate_json(original, rng, files)
        else:
            data = mutate(original, rng, [original, *files])
        try:
            outcomes[_load_and_check(tmp_path, data, claims, key_ring.root_fingerprint)] += 1
        except (ToolError, LicenseFileError) as error:
            problems.append(f"mutation {number}: escaped instead of being answered: {error!r}")
        except Exception as error:  # every foreign error is a finding
            problems.append(f"mutation {number}: {type(error).__name__}: {error}")
    seconds = time.perf_counter() - started
    print(f"\nfuzz tool store: {count} files {dict(outcomes)}, {seconds:.1f} s")
    assert problems == [], "\n".join(problems[:20])
    assert outcomes["damaged"] > 0
    assert outcomes["refused"] > 0
    assert outcomes["granted"] > 0
