"""The API tokens a server looked up in the last half second, with their users.

A list of 50 checkouts spent about a quarter of its Python time finding its caller (a trip to
the thread pool, a connection, a query). A server answers a token it looked up less than
``SECONDS`` ago from memory, so a revoked token, a deactivated user or a changed role is
refused by every server within that time, and at once by the server that made the change:
every commit of a unit of work on it empties its cache. A lookup that was under way while
that happened is not kept (``generation``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from entitle.domain.model import User

SECONDS = 0.5
SIZE = 4096


@dataclass
class RecentTokens:
    seconds: float = SECONDS
    clock: Callable[[], float] = time.monotonic
    _found: dict[str, tuple[float, User]] = field(default_factory=dict, repr=False)
    _generation: int = 0

    def user(self, digest: str) -> User | None:
        """The user of the token with ``digest``, when looked up less than ``seconds`` ago."""
        entry = self._found.get(digest)
        if entry is None:
            return None
        if self.clock() - entry[0] >= self.seconds:
            self._found.pop(digest, None)
            return None
        return entry[1]

    def start(self) -> tuple[float, int]:
        """Taken before a lookup's query: when it began, and the cache's generation then."""
        return self.clock(), self._generation

    def keep(self, digest: str, user: User, started: tuple[float, int]) -> None:
        """Keep what a lookup begun at ``started`` found, unless the cache was emptied since."""
        moment, generation = started
        if generation != self._generation:
            return
        if len(self._found) >= SIZE:
            self._found.clear()
        self._found[digest] = (moment, user)

    def clear(self) -> None:
        self._generation += 1
        self._found.clear()
