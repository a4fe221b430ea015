"""Reading JSON on the product start path without importing the ``json`` package.

``import json`` costs a cold process about 5 million instructions, nearly all of it compiling
the regular expressions of its encoder and decoder, which reading a document needs none of.
:func:`loads` runs CPython's ``_json`` scanner, the very one ``json.loads`` runs, with the
options ``json.loads`` gives it, and returns what it read only when it read the whole
document; anything else (an error, trailing data, another text encoding, an interpreter
without ``_json``) goes to ``json.loads`` itself, so results and errors are its own. Writing
JSON, and reading it off the start path, use ``json``.
"""

from __future__ import annotations

from typing import Any

_WHITESPACE = " \t\n\r"
_UTF8_BOM = b"\xef\xbb\xbf"
_OTHER_ENCODINGS = (b"\xff\xfe", b"\xfe\xff")  # UTF-16 and UTF-32 byte order marks


class _Options:
    """The attributes ``_json``'s scanner reads from its decoder, as ``json.loads`` sets them."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = {
        "-Infinity": float("-inf"),
        "Infinity": float("inf"),
        "NaN": float("nan"),
    }.__getitem__


try:
    from _json import make_scanner as _make_scanner
except ImportError:  # pragma: no cover - an interpreter without the C accelerator
    _scan = None
else:
    # typeshed names JSONDecoder's own scanner class; the C scanner reads only these attributes
    _scan = _make_scanner(_Options())  # type: ignore[arg-type]


def loads(data: bytes | str) -> Any:
    """``json.loads(data)``: the same value, or the same error."""
    text = _text(data)
    if _scan is not None and text is not None:
        start = len(text) - len(text.lstrip(_WHITESPACE))
        try:
            value, end = _scan(text, start)
        except (StopIteration, ValueError):
            pass  # json.loads raises the error, with its message
        else:
            if not text[end:].strip(_WHITESPACE):
                return value
    import json

    return json.loads(data)


def _text(data: bytes | str) -> str | None:
    """``data`` decoded as ``json.loads`` decodes UTF-8; None for anything else."""
    if isinstance(data, str):
        return data
    if data.startswith(_OTHER_ENCODINGS) or b"\x00" in data[:4]:
        return None
    try:
        return data.decode("utf-8-sig" if data.startswith(_UTF8_BOM) else "utf-8", "surrogatepass")
    except UnicodeDecodeError:
        return None
