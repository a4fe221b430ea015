"""Refusals of the domain.

DomainError            every refusal: a stable code (entitle.domain.codes), a sentence for people,
│                      the ``field``; its HTTP status is the code's
├── InvalidInput       the request names something malformed or unknown
├── NotFound           the thing does not exist for this organisation
├── Forbidden          the caller's role or account may not do this
├── Conflict           the thing exists but is in the wrong state
└── Unavailable        an outage, not a refusal: the database does not answer or its storage
                       is full; nothing was done, and the same request may work after
                       ``retry_after`` seconds
"""

from __future__ import annotations

from entitle.domain.codes import Code


class DomainError(Exception):
    def __init__(self, code: Code, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.problem = code
        self.code = code.name
        self.status = code.status
        self.message = message
        self.field = field
        self.errors: tuple[DomainError, ...] = (self,)

    @classmethod
    def of_all(cls, errors: list[DomainError]) -> DomainError:
        """The first refusal, carrying every refusal so a form can mark each field."""
        first = errors[0]
        first.errors = tuple(errors)
        return first


class InvalidInput(DomainError):
    pass


class NotFound(DomainError):
    pass


class Forbidden(DomainError):
    pass


class Conflict(DomainError):
    pass


class Unavailable(DomainError):
    def __init__(self, code: Code, message: str, *, retry_after: int, cause: str) -> None:
        super().__init__(code, message)
        self.retry_after = retry_after
        self.cause = cause
