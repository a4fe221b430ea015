"""Machine names, emails and countries as people type them."""

from __future__ import annotations

import re
from functools import cache

import pycountry

from entitle.domain.codes import Code
from entitle.domain.errors import InvalidInput
from entitle.machine_names import comparison_key, is_machine_name, normalized

_EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


def machine_name(text: str) -> str:
    """A computer name: 1 to 63 letters, digits and hyphens, not only digits.

    Read as licenses compare it (:mod:`entitle.machine_names`): after NFKC, in ASCII, so
    what is signed is what a workstation can match, and a look-alike never is.
    """
    name = normalized(text.strip())
    if name is None or not is_machine_name(name):
        raise InvalidInput(
            Code.MACHINE_NAME_INVALID,
            "Enter the computer name: 1 to 63 letters, digits and hyphens, not only digits "
            "(no spaces or dots), e.g. WS-0042.",
            field="machine",
        )
    return name


def machine_key(name: str) -> str:
    """What machine names are stored and compared by: the rule of :mod:`entitle.machine_names`.

    A text that is no machine name by that rule keys as itself, which no stored key equals.
    """
    stripped = name.strip()
    return comparison_key(stripped) or stripped


def email(text: str, *, field: str = "user") -> str:
    address = text.strip()
    if len(address) > 254 or not _EMAIL.match(address):
        raise InvalidInput(
            Code.EMAIL_INVALID,
            f"'{text}' is not an email address such as ana@example.com.",
            field=field,
        )
    local, domain = address.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


def country(text: str, *, field: str = "country") -> str:
    code = text.strip().upper()
    if not _COUNTRY.match(code):
        raise InvalidInput(
            Code.COUNTRY_INVALID,
            f"'{text}' is not a country code: use two letters (ISO 3166-1 alpha-2) such as US.",
            field=field,
        )
    return code


@cache
def country_name(code: str) -> str | None:
    """The English short name of an ISO 3166-1 alpha-2 code (``DE``: Germany), if it has one."""
    found = pycountry.countries.get(alpha_2=code)
    return None if found is None else str(getattr(found, "common_name", found.name))


_FINGERPRINT = re.compile(r"^[0-9a-f]{64}$")


def machine_fingerprint(text: str, *, field: str = "machine_fingerprint") -> str:
    """A workstation's fingerprint as the licensing tool reports it: SHA-256 in hex."""
    value = text.strip().lower()
    if not _FINGERPRINT.match(value):
        raise InvalidInput(
            Code.MACHINE_FINGERPRINT_INVALID,
            "A machine fingerprint is the 64 hexadecimal digits 'entitle-tool machine' prints.",
            field=field,
        )
    return value
