"""What a create reads beside the caller and the organisation, in one statement.

The releases of the applications asked for, the organisation's activation keys in use, the
display name of the user the checkout is for (when they are a user of the organisation) and
the webhook endpoints that want ``checkout.created``: four lookups, one ``UNION ALL`` of
rows ``(kind, a, b, c)`` in text, so a create waits on one statement where it waited on four.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BindParameter,
    CompoundSelect,
    Connection,
    String,
    bindparam,
    cast,
    func,
    literal,
    null,
    select,
    union_all,
)

from entitle.domain.model import ActivationKey, ApplicationVersion
from entitle.store import driver, outbox
from entitle.store.catalog import release
from entitle.store.tables import (
    activation_keys,
    application_versions,
    applications,
    users,
    webhook_endpoints,
)


@dataclass(frozen=True)
class CreateInputs:
    releases: dict[str, list[ApplicationVersion]]
    keys: list[ActivationKey]
    display_name: str | None
    endpoints: list[int]


def create_inputs(
    conn: Connection,
    organisation_id: int,
    names: Iterable[str],
    email: str | None,
    event_type: str,
) -> CreateInputs:
    """:func:`entitle.store.catalog.releases_of`, the keys of
    :func:`entitle.store.organisations.keys_of`, the display name of ``email`` among the
    organisation's users and :func:`entitle.store.outbox.endpoints_for`, read at once."""
    rows = driver.fetch(
        conn,
        _STATEMENT,
        {
            "organisation_id": organisation_id,
            "names": sorted({n.strip().lower() for n in names}),
            "email": None if email is None else email.lower(),
        },
    )
    releases: dict[str, list[ApplicationVersion]] = {}
    keys: list[ActivationKey] = []
    display_name = None
    endpoints: list[int] = []
    for kind, a, b, c in rows:
        if kind == "release":
            releases.setdefault(a.lower(), []).append(release(a, b, c))
        elif kind == "key":
            keys.append(ActivationKey(a, b, False))
        elif kind == "user":
            display_name = a
        elif outbox.wants(_types(b), event_type):
            endpoints.append(int(a))
    keys.sort(key=lambda k: (k.country, k.key))
    endpoints.sort()
    return CreateInputs(releases, keys, display_name, endpoints)


def _statement() -> CompoundSelect[Any]:
    """Built once: a statement made on every call spent more time in SQLAlchemy (building it
    and its cache key) than the database spent answering it."""
    text = String()
    organisation_id: BindParameter[int] = bindparam("organisation_id")
    return union_all(
        select(
            literal("release", text).label("kind"),
            applications.c.name.label("a"),
            application_versions.c.version.label("b"),
            application_versions.c.license_service.label("c"),
        )
        .join(application_versions, application_versions.c.application_id == applications.c.id)
        .where(applications.c.name_key.in_(bindparam("names", expanding=True))),
        select(
            literal("key", text),
            activation_keys.c.key,
            activation_keys.c.country,
            cast(null(), text),
        ).where(
            (activation_keys.c.organisation_id == organisation_id)
            & activation_keys.c.retired_at.is_(None)
        ),
        select(
            literal("endpoint", text),
            cast(webhook_endpoints.c.id, text),
            cast(webhook_endpoints.c.event_types, text),
            cast(null(), text),
        ).where(
            (webhook_endpoints.c.organisation_id == organisation_id)
            & webhook_endpoints.c.disabled_at.is_(None)
        ),
        # No user when the email is NULL (the plan will refuse the request).
        select(
            literal("user", text), users.c.display_name, cast(null(), text), cast(null(), text)
        ).where(
            (func.lower(users.c.email) == bindparam("email", type_=text))
            & (users.c.organisation_id == organisation_id)
        ),
    )


_STATEMENT = _statement()


def _types(stored: str | None) -> Sequence[str] | None:
    return None if stored is None else json.loads(stored)
