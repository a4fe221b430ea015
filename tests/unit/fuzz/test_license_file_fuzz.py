"""Mutated .belic and .xml files: refused with our own errors, or exactly what was signed."""

from __future__ import annotations

import random
import time

import pytest

from entitle.licensefile import (
    SELECTSERVER,
    SES,
    KeyRing,
    LicenseClaims,
    LicenseFileError,
    TrustedIssuers,
    verify,
)
from tests.claims import NOW, make_claims
from tests.unit.fuzz.conftest import SCALE, SEED
from tests.unit.fuzz.mutations import mutate

FILES = {"belic": (SES, 50_000), "xml": (SELECTSERVER, 35_000)}


def fuzz_license_file(
    original: bytes, claims: LicenseClaims, others: list[bytes], trusted: TrustedIssuers, count: int
) -> tuple[int, int, list[str]]:
    """(accepted, refused, problems) over ``count`` mutations of ``original``."""
    rng = random.Random(SEED)
    accepted = refused = 0
    problems: list[str] = []
    for number in range(count):
        data = mutate(original, rng, others)
        try:
            found = verify(data, trusted, now=NOW, machine_name=claims.machine_name)
        except LicenseFileError:
            refused += 1
            continue
        except Exception as error:  # every foreign error is a finding
            problems.append(f"mutation {number}: {type(error).__name__}: {error} {data[:80]!r}")
            continue
        accepted += 1
        if found != claims:
            problems.append(f"mutation {number} accepted with other claims: {data[:80]!r}")
    return accepted, refused, problems


@pytest.mark.slow
@pytest.mark.parametrize("file_format", list(FILES))
def test_mutated_license_files_raise_only_license_errors_and_never_change_the_claims(
    key_ring: KeyRing, file_format: str
) -> None:
    service, count = FILES[file_format]
    claims = make_claims(service)
    ring = key_ring
    original = ring.sign(claims)
    others = [ring.sign(make_claims(SES)), ring.sign(make_claims(SELECTSERVER, country="GB"))]
    started = time.perf_counter()
    accepted, refused, problems = fuzz_license_file(
        original, claims, others, ring.trusted(), count * SCALE
    )
    seconds = time.perf_counter() - started
    print(
        f"\nfuzz {file_format}: {count * SCALE} files, {refused} refused, {accepted} "
        f"accepted unchanged, {seconds:.1f} s"
    )
    assert problems == [], "\n".join(problems[:20])
    assert refused > accepted
