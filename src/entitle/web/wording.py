"""The portal's words for values of the domain (roles, delivery statuses), and notices: a
sentence a page shows after an action, translated when the page renders in its language."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from entitle.domain.model import Role
from entitle.service.translations import N_, _

ROLE_NAMES = {
    Role.ADMINISTRATOR.value: N_("Administrator"),
    Role.CO_ADMINISTRATOR.value: N_("Co-Administrator"),
    Role.USER.value: N_("User"),
}
DELIVERY_STATUSES = {
    "pending": N_("pending"),
    "delivered": N_("delivered"),
    "failed": N_("failed"),
}


@dataclass(frozen=True)
class Notice:
    """``message`` (marked with ``N_``) with its ``%(name)s`` placeholders filled, written in
    the language of the page that shows it."""

    message: str
    values: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return _(self.message, **self.values)
