"""A seeded mutator for license files and store files: fast, reproducible from one seed.

Each mutation is one of: flip bits of a byte, set a byte, truncate, insert random or
structural bytes, delete a span, splice in a span of another file, duplicate a span or an
XML element, or re-encode the whole file (UTF-16, Latin-1, a BOM, other base64 alphabets).
"""

from __future__ import annotations

import base64
import random
import re
from collections.abc import Callable, Sequence

_ELEMENT = re.compile(rb"<([A-Za-z][\w:.-]*)[^<>]*>[^<]*</\1>")
_STRUCTURE = [
    b"<",
    b">",
    b"</",
    b"/>",
    b'"',
    b"'",
    b"&amp;",
    b"=",
    b".",
    b"{",
    b"}",
    b":",
    b",",
    b"[",
    b"]",
    b"\\u0000",
    b"null",
    b"\x00",
    b"\xff",
    b"==",
    b"-",
    b"_",
]


def _flip(data: bytes, rng: random.Random, _others: Sequence[bytes]) -> bytes:
    i = rng.randrange(len(data))
    return data[:i] + bytes([data[i] ^ (1 << rng.randrange(8))]) + data[i + 1 :]


def _set(data: bytes, rng: random.Random, _others: Sequence[bytes]) -> bytes:
    i = rng.randrange(len(data))
    return data[:i] + bytes([rng.randrange(256)]) + data[i + 1 :]


def _truncate(data: bytes, rng: random.Random, _others: Sequence[bytes]) -> bytes:
    return data[: rng.randrange(len(data))]


def _insert(data: bytes, rng: random.Random, _others: Sequence[bytes]) -> bytes:
    i = rng.randrange(len(data) + 1)
    noise = rng.randbytes(rng.randrange(1, 16))
    piece = rng.choice(_STRUCTURE) if rng.random() < 0.5 else noise
    return data[:i] + piece + data[i:]


def _delete(data: bytes, rng: random.Random, _others: Sequence[bytes]) -> bytes:
    i = rng.randrange(len(data))
    return data[:i] + data[i + rng.randrange(1, 32) :]


def _splice(data: bytes, rng: random.Random, others: Sequence[bytes]) -> bytes:
    other = rng.choice(others)
    i, j = sorted(rng.randrange(len(other) + 1) for _ in range(2))
    k = rng.randrange(len(data) + 1)
    return data[:k] + other[i:j] + data[k + (j - i) if rng.random() < 0.5 else k :]


def _duplicate(data: bytes, rng: random.Random, _others: Sequence[bytes]) -> bytes:
    elements = list(_ELEMENT.finditer(data))
    if elements and rng.random() < 0.7:
        found = rng.choice(elements)
        at = found.end() if rng.random() < 0.5 else found.start()
        return data[:at] + found.group(0) + data[at:]
    i, j = sorted(rng.randrange(len(data) + 1) for _ in range(2))
    return data[:j] + data[i:j] + data[j:]


def _reencode(data: bytes, rng: random.Random, _others: Sequence[bytes]) -> bytes:
    text = data.decode("utf-8", errors="replace")
    way = rng.randrange(6)
    if way == 0:
        return text.encode("utf-16")
    if way == 1:
        return text.encode("latin-1", errors="replace")
    if way == 2:
        return b"\xef\xbb\xbf" + data
    if way == 3:
        return data.replace(b"\n", b"\r\n")
    if way == 4:
        return data.replace(b"-", b"+").replace(b"_", b"/")
    return base64.b64encode(data)


def _whitespace(data: bytes, rng: random.Random, _others: Sequence[bytes]) -> bytes:
    gaps = [m.end() for m in re.finditer(rb">", data)] or [len(data)]
    at = rng.choice(gaps)
    return data[:at] + rng.choice([b" ", b"\n", b"\t", b"\n  "]) + data[at:]


MUTATIONS: tuple[Callable[[bytes, random.Random, Sequence[bytes]], bytes], ...] = (
    _flip,
    _set,
    _truncate,
    _insert,
    _delete,
    _splice,
    _duplicate,
    _reencode,
    _whitespace,
)


def mutate(data: bytes, rng: random.Random, others: Sequence[bytes]) -> bytes:
    """One to three mutations of ``data``; never returns ``data`` unchanged."""
    result = data
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        result = rng.choice(MUTATIONS)(result or b"<", rng, others)
    return result if result != data else result + b"\x00"
