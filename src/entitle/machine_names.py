"""When a machine name in a license names this machine: the one rule, for server and workstation.

A license names its machine as an administrator typed it into the portal; the workstation
compares it with its own name. Unicode look-alikes must not match: Python's ``casefold`` (and
``upper``) turn ``"ſ"`` (U+017F) into ``s``, so a host named ``Wſ-RT-01`` would take the
license of ``WS-RT-01``. The rule:

* a name in a license is read after NFKC normalization, and must then be ASCII; one that is not
  never matches anything;
* the workstation's own name must be ASCII as it is (no normalization on that side, or
  ``Wſ-RT-01`` would become ``Ws-RT-01``);
* the two compare ASCII case-insensitively.

The server normalizes a typed name the same way before it checks and stores it, so what it
signs is what workstations compare. This module sits beside ``entitle.domain`` and
``entitle.licensefile`` rather than in either, because each must use it and neither may
import the other; it imports only the standard library (import contract in pyproject.toml),
and ``unicodedata`` only for names that are not ASCII already.
"""

from __future__ import annotations


def normalized(name: str) -> str | None:
    """``name`` after NFKC when that is ASCII; None when it is not."""
    if name.isascii():
        return name  # NFKC leaves ASCII as it is
    import unicodedata

    folded = unicodedata.normalize("NFKC", name)
    return folded if folded.isascii() else None


def comparison_key(name: str) -> str | None:
    """What a licensed machine name is compared by: :func:`normalized`, in ASCII upper case."""
    found = normalized(name)
    return None if found is None else _ascii_upper(found)


def can_be_named(this_machine: str) -> bool:
    """Whether a license bound by name alone can name a machine called ``this_machine``: its
    name must be ASCII as it is (and not empty)."""
    return bool(this_machine) and this_machine.isascii()


MACHINE_NAME_PATTERN = r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$"
"""A computer name a checkout can name, after :func:`normalized`: 1 to 63 letters, digits and
hyphens, neither first nor last (and not only digits: :func:`is_machine_name`)."""


def is_machine_name(name: str) -> bool:
    """Whether ``name`` (already :func:`normalized`) is a computer name a checkout can name."""
    import re  # not on the check path: every product start imports this module

    return re.fullmatch(MACHINE_NAME_PATTERN, name) is not None and not name.isdigit()


def is_licensed_machine(licensed: str, this_machine: str) -> bool:
    """Whether the machine ``licensed`` in a license is ``this_machine``, by the rule above."""
    if not can_be_named(this_machine):
        return False
    key = comparison_key(licensed)
    return key is not None and key == _ascii_upper(this_machine)


def _ascii_upper(text: str) -> str:
    # str.upper on ASCII text is ASCII upper case; callers pass ASCII only.
    return text.upper()
