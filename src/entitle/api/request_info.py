"""What is known of the request being answered: its id, and the caller once authenticated.

:class:`entitle.api.observe.RequestObserver` starts one per request in a context variable, so
the log lines, problem+json bodies and metrics written while answering it can name it; the
route's threads see it too (they run in a copy of the request's context).
"""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar, Token
from dataclasses import dataclass
from typing import Literal

from entitle.domain.model import User

HEADER = "X-Request-ID"
# What a client's id may be; anything else (too long, spaces, a newline) is replaced.
ACCEPTED = re.compile(rb"[A-Za-z0-9._-]{1,128}")


@dataclass
class RequestInfo:
    request_id: str
    organisation_id: int | None = None
    user_id: int | None = None
    via: Literal["token", "session"] | None = None


_current: ContextVar[RequestInfo | None] = ContextVar("entitle_request", default=None)


def request_id_for(sent: bytes | None) -> str:
    """The client's ``X-Request-ID`` when it is sane, else a new one (uuid4, hex)."""
    if sent is not None and ACCEPTED.fullmatch(sent):
        return sent.decode("ascii")
    return uuid.uuid4().hex


def begin(info: RequestInfo) -> Token[RequestInfo | None]:
    return _current.set(info)


def end(token: Token[RequestInfo | None]) -> None:
    _current.reset(token)


def current() -> RequestInfo | None:
    return _current.get()


def current_request_id() -> str | None:
    info = _current.get()
    return info.request_id if info else None


def note_caller(user: User, via: Literal["token", "session"]) -> None:
    """The authenticated caller, for the request's log line and the metrics."""
    info = _current.get()
    if info is not None:
        info.organisation_id = user.organisation_id
        info.user_id = user.id
        info.via = via
