"""User codes of a device sign-in: how a person's typing is compared with the code shown.

A user code (RFC 8628 §6.1) is eight letters of ``BCDFGHJKLMNPQRSTVWXZ`` shown as two groups,
``BCDF-GHJK``: no vowels, so no word forms, and no letters mistaken for digits. What the
user types matches it without regard to case, dashes or spaces.
"""

from __future__ import annotations

MAX_TYPED = 32
"""Longer input is no code at all, and is not looked up."""


def user_code_key(typed: str) -> str:
    """The code as stored and compared: upper case, letters and digits only."""
    return "".join(ch for ch in typed.upper() if ch.isascii() and ch.isalnum())


def shown(key: str) -> str:
    """The code as the tool printed it, ``BCDF-GHJK``."""
    return f"{key[:4]}-{key[4:]}" if len(key) == 8 else key
