"""The licensing tool: import license files on a workstation and check them offline.

A product asks at start-up whether it may run::

    from entitle.tool import check

    result = check("Designer", "2.1")
    if not result:
        sys.exit(f"Designer cannot start: {result.message}")   # result.reason is stable
    licensed_until = result.claims.expires_at

The same store is managed from Python as from ``entitle-tool``:

* :func:`trust` the license server's public keys (its URL, a JWKS file or a PEM file);
* :func:`import_license_files`, :func:`list_licenses`, :func:`show_license`,
  :func:`clean_expired`;
* :func:`clear` a license (writes a check-in receipt) and :func:`send_receipts` to the server;
  a cleared checkout is refused from then on (:class:`RefusedCheckout`).

Which machine this is comes from the operating system alone, never from an environment
variable: :func:`this_machine` gives a :class:`MachineIdentity` (its ``name``, and its
``fingerprint`` read on first use), :func:`machine_name` and :func:`machine_fingerprint` the
parts. Administrators pin the trusted issuers in the machine-wide configuration
(:func:`system_config_dir`; :func:`configured_issuers`, :func:`write_issuers`).

Licenses are stored for the current OS user, in ``platformdirs.user_data_dir("entitle-tool")``
unless ``ENTITLE_TOOL_HOME`` says otherwise; every function takes ``home=`` as well. Importing
this package is cheap: only :func:`check` loads with it, the rest on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from entitle.tool.check import CheckResult, check
from entitle.tool.errors import (
    ClockLooksWrong,
    ConfigurationError,
    DamagedStore,
    MachineIdUnavailable,
    NeedsAdministrator,
    NotTrusted,
    ServerUnreachable,
    ToolError,
    TrustSourceError,
    UnknownCheckout,
)
from entitle.tool.home import MachineIdentity, machine_name, this_machine, tool_home

if TYPE_CHECKING:
    from entitle.tool.config import (
        ConfiguredIssuer,
        configured_issuers,
        system_config_dir,
        write_issuers,
    )
    from entitle.tool.fingerprint import machine_fingerprint
    from entitle.tool.licenses import (
        ImportOutcome,
        clean_expired,
        import_license_files,
        list_licenses,
        show_license,
    )
    from entitle.tool.receipts import Cleared, SendOutcome, clear, send_receipts
    from entitle.tool.store import RefusedCheckout, StoredLicense
    from entitle.tool.trust import TrustResult, trust

_LAZY = {
    "machine_fingerprint": "fingerprint",
    "ConfiguredIssuer": "config",
    "configured_issuers": "config",
    "system_config_dir": "config",
    "write_issuers": "config",
    "ImportOutcome": "licenses",
    "clean_expired": "licenses",
    "import_license_files": "licenses",
    "list_licenses": "licenses",
    "show_license": "licenses",
    "Cleared": "receipts",
    "SendOutcome": "receipts",
    "clear": "receipts",
    "send_receipts": "receipts",
    "RefusedCheckout": "store",
    "StoredLicense": "store",
    "TrustResult": "trust",
    "trust": "trust",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"entitle.tool.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "CheckResult",
    "Cleared",
    "ClockLooksWrong",
    "ConfigurationError",
    "ConfiguredIssuer",
    "DamagedStore",
    "ImportOutcome",
    "MachineIdUnavailable",
    "MachineIdentity",
    "NeedsAdministrator",
    "NotTrusted",
    "RefusedCheckout",
    "SendOutcome",
    "ServerUnreachable",
    "StoredLicense",
    "ToolError",
    "TrustResult",
    "TrustSourceError",
    "UnknownCheckout",
    "check",
    "clean_expired",
    "clear",
    "configured_issuers",
    "import_license_files",
    "list_licenses",
    "machine_fingerprint",
    "machine_name",
    "send_receipts",
    "show_license",
    "system_config_dir",
    "this_machine",
    "tool_home",
    "trust",
    "write_issuers",
]
