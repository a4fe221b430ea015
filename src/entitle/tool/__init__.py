"""The licensing tool: import license files on a workstation and check them offline.

A product asks at start-up whether it may run, pinning the issuer it trusts by the
fingerprint of its root certificate (what ``entitle keys fingerprint`` prints)::

    from entitle.tool import check

    result = check("Designer", "2.1", issuer="sha256:4f0c…")   # or a sequence of them
    if not result:
        sys.exit(f"Designer cannot start: {result.message}")   # result.reason is stable
    licensed_until = result.claims.expires_at

A product that pins none trusts the issuers an administrator pinned for the machine
(:func:`trust_system`, ``entitle-tool trust --system URL --fingerprint sha256:…``; read with
:func:`configured_issuers`, in :func:`system_config_dir`). Without either, nothing is trusted
(``NOT_TRUSTED``). A user's store never adds an issuer.

The same store is managed from Python as from ``entitle-tool``:

* :func:`trust` a license server for this user: cache the certificates it publishes (those a
  pinned issuer issued) and remember it for :func:`sync`, which fetches its certificates and
  revocation lists and drops revoked licenses (:class:`SyncOutcome`);
* :func:`import_license_files`, :func:`list_licenses`, :func:`show_license`,
  :func:`clean_expired`;
* :func:`clear` a license (writes a check-in receipt) and :func:`send_receipts` to the server;
  a cleared checkout is refused from then on, as is one a revocation list dropped
  (:class:`RefusedCheckout`).

Signed in to a license server (``entitle-tool login URL``, the OAuth 2.0 device sign-in), a
command acts for the user with :func:`authorised_request` (``signed_in`` says who and where);
it refreshes the credential as needed and raises :class:`NotSignedIn` when there is none.
Signed in, the user checks out for themselves on this machine: :func:`check_out` (the file is
verified against the pinned issuers and imported), :func:`renew`, :func:`return_checkout` (clear
here and check in on the server at once) and :func:`own_checkouts`; a server's refusal is
:class:`ServerRefused`, with its code and sentence. An air-gapped machine writes a request for
its administrator instead: :func:`write_request` (:func:`checkout_request` gives the document).

Which machine this is comes from the operating system alone, never from an environment
variable: :func:`this_machine` gives a :class:`MachineIdentity` (its ``name``, and its
``fingerprint`` read on first use), :func:`machine_name` and :func:`machine_fingerprint` the
parts. A license bound to a machine fingerprint needs the machine id; one bound by name alone
runs where there is none.

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
    FingerprintMismatch,
    MachineIdUnavailable,
    NeedsAdministrator,
    NoServer,
    NotSignedIn,
    NotTrusted,
    ServerRefused,
    ServerUnreachable,
    SignInDenied,
    SignInExpired,
    SignInRefused,
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
        import_license_data,
        import_license_files,
        list_licenses,
        show_license,
    )
    from entitle.tool.receipts import Cleared, SendOutcome, clear, send_receipts
    from entitle.tool.request_file import WrittenRequest, checkout_request, write_request
    from entitle.tool.selfservice import (
        CheckedOut,
        Returned,
        ServerCheckout,
        check_out,
        own_checkouts,
        renew,
        return_checkout,
    )
    from entitle.tool.signin import Credential, authorised_request, signed_in
    from entitle.tool.store import RefusedCheckout, StoredLicense
    from entitle.tool.sync import SyncOutcome, sync
    from entitle.tool.trust import SystemTrust, TrustResult, trust, trust_system

_LAZY = {
    "machine_fingerprint": "fingerprint",
    "ConfiguredIssuer": "config",
    "configured_issuers": "config",
    "system_config_dir": "config",
    "write_issuers": "config",
    "ImportOutcome": "licenses",
    "clean_expired": "licenses",
    "import_license_data": "licenses",
    "import_license_files": "licenses",
    "list_licenses": "licenses",
    "show_license": "licenses",
    "Cleared": "receipts",
    "SendOutcome": "receipts",
    "clear": "receipts",
    "send_receipts": "receipts",
    "WrittenRequest": "request_file",
    "checkout_request": "request_file",
    "write_request": "request_file",
    "CheckedOut": "selfservice",
    "Returned": "selfservice",
    "ServerCheckout": "selfservice",
    "check_out": "selfservice",
    "own_checkouts": "selfservice",
    "renew": "selfservice",
    "return_checkout": "selfservice",
    "Credential": "signin",
    "authorised_request": "signin",
    "signed_in": "signin",
    "RefusedCheckout": "store",
    "StoredLicense": "store",
    "SyncOutcome": "sync",
    "sync": "sync",
    "SystemTrust": "trust",
    "TrustResult": "trust",
    "trust": "trust",
    "trust_system": "trust",
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
    "CheckedOut",
    "Cleared",
    "ClockLooksWrong",
    "ConfigurationError",
    "ConfiguredIssuer",
    "Credential",
    "DamagedStore",
    "FingerprintMismatch",
    "ImportOutcome",
    "MachineIdUnavailable",
    "MachineIdentity",
    "NeedsAdministrator",
    "NoServer",
    "NotSignedIn",
    "NotTrusted",
    "RefusedCheckout",
    "Returned",
    "SendOutcome",
    "ServerCheckout",
    "ServerRefused",
    "ServerUnreachable",
    "SignInDenied",
    "SignInExpired",
    "SignInRefused",
    "StoredLicense",
    "SyncOutcome",
    "SystemTrust",
    "ToolError",
    "TrustResult",
    "TrustSourceError",
    "UnknownCheckout",
    "WrittenRequest",
    "authorised_request",
    "check",
    "check_out",
    "checkout_request",
    "clean_expired",
    "clear",
    "configured_issuers",
    "import_license_data",
    "import_license_files",
    "list_licenses",
    "machine_fingerprint",
    "machine_name",
    "own_checkouts",
    "renew",
    "return_checkout",
    "send_receipts",
    "show_license",
    "signed_in",
    "sync",
    "system_config_dir",
    "this_machine",
    "tool_home",
    "trust",
    "trust_system",
    "write_issuers",
    "write_request",
]
