"""Refusals of the domain.

DomainError            every refusal: a stable ``code``, a sentence for people, the ``field``
├── InvalidInput       the request names something malformed or unknown (HTTP 422)
├── NotFound           the thing does not exist for this organisation (HTTP 404)
├── Forbidden          the caller's role or account may not do this (HTTP 403)
└── Conflict           the thing exists but is in the wrong state (HTTP 409)
"""

from __future__ import annotations


class DomainError(Exception):
    status = 400

    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
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
    status = 422


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409
