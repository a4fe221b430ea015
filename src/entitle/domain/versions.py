"""Application versions: dotted numbers compared numerically (``10.17.02.61`` is ``10.17.2.61``)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from entitle.domain.codes import Code
from entitle.domain.errors import InvalidInput

_VERSION = re.compile(r"^\d{1,9}(\.\d{1,9}){0,5}$")


@dataclass(frozen=True, order=True)
class Version:
    parts: tuple[int, ...]

    @classmethod
    def parse(cls, text: str) -> Version:
        text = text.strip()
        if not _VERSION.match(text):
            raise InvalidInput(
                Code.VERSION_MALFORMED,
                f"'{text}' is not a version: use dotted numbers such as 10.17.2.61.",
                field="version",
            )
        return cls(tuple(int(p) for p in text.split(".")))

    def __str__(self) -> str:
        return self._text

    @cached_property
    def _text(self) -> str:
        # Every listed line shows its version: a version's text is made once.
        return ".".join(str(p) for p in self.parts)

    @property
    def sort_key(self) -> str:
        """A text that sorts like the version, for indexes and SQL ``ORDER BY``."""
        return ".".join(f"{p:09d}" for p in self.parts)

    def starts_with(self, prefix: str) -> bool:
        return str(self).startswith(prefix) or str(self) == prefix


def closest(wanted: str, candidates: Iterable[Version], limit: int = 3) -> list[str]:
    """The released versions nearest to what someone typed, best first."""
    names = [str(v) for v in sorted(set(candidates), reverse=True)]
    prefixed = [n for n in names if n.startswith(wanted)]
    similar = difflib.get_close_matches(wanted, names, n=limit, cutoff=0.0)
    ordered = list(dict.fromkeys(prefixed + similar))
    return ordered[:limit]
