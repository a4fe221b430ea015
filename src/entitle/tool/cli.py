"""``entitle-tool``: the workstation licensing tool.

``check`` runs at every product start, so it is answered before the command-line library
(and everything else not needed to verify a ``.belic`` file) is imported.
"""

from __future__ import annotations

import sys

from entitle.tool.check import check

USAGE_ERROR = 2


def main(argv: list[str] | None = None) -> int:
    """Run the tool with ``argv`` (default: the process arguments); the exit status."""
    args = sys.argv[1:] if argv is None else list(argv)
    quick = parse_check(args)
    if quick is not None:
        return run_check(*quick)
    from entitle.tool.commands import cli

    try:
        cli.main(args=args, prog_name="entitle-tool")
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    return 0


def parse_check(args: list[str]) -> tuple[str, str, tuple[str, ...]] | None:
    """``(app, version, issuers)`` of a plain ``check --app A --version V [--issuer F]...``;
    None for anything else, a malformed fingerprint included (the full parser reports it)."""
    if not args or args[0] != "check":
        return None
    values: dict[str, str] = {}
    issuers: list[str] = []
    rest = iter(args[1:])
    for arg in rest:
        name, equals, value = arg.partition("=")
        if name not in ("--app", "--version", "--issuer") or name in values:
            return None
        if not equals:
            value = next(rest, "")
        if not value or value.startswith("-"):
            return None
        if name == "--issuer":
            if not is_fingerprint(value):
                return None
            issuers.append(value)
        else:
            values[name] = value
    if len(values) != 2:
        return None
    return values["--app"], values["--version"], tuple(issuers)


def is_fingerprint(text: str) -> bool:
    """Whether ``text`` is an issuer fingerprint (``sha256:`` and 64 hex digits)."""
    from entitle.licensefile import InvalidTrustedKeys, parse_fingerprint

    try:
        parse_fingerprint(text)
    except InvalidTrustedKeys:
        return False
    return True


def run_check(application: str, version: str, issuers: tuple[str, ...] = ()) -> int:
    """Print the answer of :func:`entitle.tool.check`; 0 when the application may run.

    ``issuers`` pin the issuer roots by fingerprint; none: the machine-wide configuration's.
    """
    result = check(application, version, issuer=issuers or None)
    if result.ok:
        print(result.message)
        return 0
    print(f"Not licensed ({result.reason}): {result.message}", file=sys.stderr)
    return 1
