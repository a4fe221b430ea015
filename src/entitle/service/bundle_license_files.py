"""License files as downloads: one file's name, and many files in one zip."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence

from entitle.domain.model import Checkout
from entitle.service.context import Services
from entitle.service.queries import license_files

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def license_file_name(checkout: Checkout) -> str:
    """``ana.lima_WS-0042_<id>.belic``: who, which machine, which checkout."""
    person = _UNSAFE.sub("-", checkout.user_email.split("@", 1)[0]).strip(".-") or "user"
    machine = _UNSAFE.sub("-", checkout.machine)
    return f"{person}_{machine}_{checkout.id}{checkout.license_service.file_extension}"


def license_file(
    services: Services, actor_email: str, checkout_id: str, address: str = ""
) -> tuple[str, bytes]:
    """The stored file, byte for byte as signed at checkout, and its download name."""
    checkout, data = license_files(services, actor_email, [checkout_id], address)[0]
    return license_file_name(checkout), data


def bundle_license_files(
    services: Services, actor_email: str, checkout_ids: Sequence[str], address: str = ""
) -> bytes:
    """One zip holding each checkout's license file under a name no other entry has."""
    buffer = io.BytesIO()
    taken: set[str] = set()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for checkout, data in license_files(services, actor_email, checkout_ids, address):
            name = _unique(license_file_name(checkout), taken)
            stamp = checkout.created_at.timetuple()[:6]
            archive.writestr(zipfile.ZipInfo(name, date_time=stamp), data)
    return buffer.getvalue()


def _unique(name: str, taken: set[str]) -> str:
    stem, dot, extension = name.rpartition(".")
    candidate, number = name, 1
    while candidate.lower() in taken:
        number += 1
        candidate = f"{stem}-{number}{dot}{extension}"
    taken.add(candidate.lower())
    return candidate
