"""The check path's JSON reader gives exactly what ``json.loads`` gives, values and errors."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from entitle.licensefile.jsontext import loads

_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


def _outcome(read: Any, data: bytes | str) -> tuple[str, Any]:
    """What reading gives: ``("value", canonical JSON)`` or ``("error", (type, message))``."""
    try:
        value = read(data)
    except (ValueError, RecursionError) as error:
        return "error", (type(error), str(error))
    return "value", json.dumps(value, sort_keys=True)


def _same(data: bytes | str) -> None:
    assert _outcome(loads, data) == _outcome(json.loads, data)


@given(_values, st.sampled_from(["", " ", "\n\t", "\r\n  "]))
def test_documents_read_as_json_reads_them(value: Any, padding: str) -> None:
    text = padding + json.dumps(value, ensure_ascii=False) + padding
    _same(text)
    _same(text.encode("utf-8"))


@given(st.binary(max_size=40))
def test_any_bytes_read_or_fail_as_json_makes_them(data: bytes) -> None:
    _same(data)


@given(st.text(max_size=40))
def test_any_text_reads_or_fails_as_json_makes_it(text: str) -> None:
    _same(text)


@pytest.mark.parametrize(
    "data",
    [
        b'\xef\xbb\xbf{"a": 1}',
        '\ufeff{"a": 1}',
        '{"a": 1} x',
        '{"a": 1}{"b": 2}',
        '{"a": "\x01"}',
        '{"a": 1, "a": 2}',
        "[1, 2,]",
        "",
        "   ",
        '"\\ud800"',
        '{"a": 1}'.encode("utf-16"),
        '{"a": 1}'.encode("utf-32-le"),
        b'{"a": "\xed\xa0\x80"}',
        b'{"a": "\xff"}',
        "[" * 100_000 + "]" * 100_000,
    ],
)
def test_edge_cases_read_or_fail_as_json_makes_them(data: bytes | str) -> None:
    _same(data)


def test_the_constants_json_accepts_are_read_as_it_reads_them() -> None:
    found = loads("[NaN, Infinity, -Infinity]")
    assert math.isnan(found[0])
    assert found[1:] == [math.inf, -math.inf]


def test_reading_a_document_does_not_import_the_json_package() -> None:
    script = (
        "import sys\nfrom entitle.licensefile.jsontext import loads\n"
        "assert loads(b'{\"a\": [1, 2.5, null, true]}') == {'a': [1, 2.5, None, True]}\n"
        "print('json' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "False"
