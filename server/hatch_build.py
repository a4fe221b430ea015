"""Build entitle-server from the repository's one source tree, ``../src/entitle``.

The workstation's distribution (``../pyproject.toml``) lists its modules once, in its wheel's
``only-include``; this one ships every other module, and depends on ``entitle`` of its own
version, which ``src/entitle/__init__.py`` defines. Its sdist holds those modules and that
``__init__.py`` under ``src/``, so a wheel builds from the sdist too.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface
from hatchling.metadata.plugin.interface import MetadataHookInterface

INIT = "entitle/__init__.py"


def _sources(root: Path) -> tuple[Path, set[str]]:
    """The directory holding ``entitle/``, and the files of it that are the workstation's."""
    repository = root.parent
    if (repository / "src" / INIT).is_file() and (repository / "pyproject.toml").is_file():
        project = tomllib.loads((repository / "pyproject.toml").read_text())
        included = project["tool"]["hatch"]["build"]["targets"]["wheel"]["only-include"]
        return repository / "src", {path.removeprefix("src/") for path in included}
    return root / "src", {INIT}  # an unpacked sdist of this distribution


def _server_files(root: Path) -> tuple[Path, list[str]]:
    source, workstation = _sources(root)
    files = []
    for path in sorted((source / "entitle").rglob("*")):
        relative = path.relative_to(source).as_posix()
        if not path.is_file() or "__pycache__" in path.parts or path.suffix == ".pyc":
            continue
        if any(relative == w or relative.startswith(f"{w}/") for w in workstation):
            continue
        files.append(relative)
    return source, files


def _compile_catalogs(source: Path) -> None:
    """Each ``entitle/locale/<language>/LC_MESSAGES/<domain>.po`` compiled beside itself."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in sorted((source / "entitle" / "locale").glob("*/LC_MESSAGES/*.po")):
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=po.parts[-3])
        with po.with_suffix(".mo").open("wb") as handle:
            write_mo(handle, catalog)


class ServerFiles(BuildHookInterface):
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        _compile_catalogs(_sources(Path(self.root))[0])
        if version == "editable":
            return  # dev-mode-dirs puts the whole source tree on the path
        source, files = _server_files(Path(self.root))
        if self.target_name == "sdist":
            files.append(INIT)
            for name in ("LICENSE", "README.md"):  # links to the repository's: store the files
                link = Path(self.root) / name
                build_data["force_include"].pop(str(link), None)
                build_data["force_include"][str(link.resolve())] = name
        prefix = "src/" if self.target_name == "sdist" else ""
        for relative in files:
            build_data["force_include"][str(source / relative)] = prefix + relative


class SameVersionAsTheTool(MetadataHookInterface):
    def update(self, metadata: dict[str, Any]) -> None:
        source, _ = _sources(Path(self.root))
        text = (source / INIT).read_text()
        found = re.search(r'^__version__ = "([^"]+)"$', text, re.MULTILINE)
        if found is None:
            raise ValueError(f"no __version__ in {source / INIT}")
        metadata["version"] = found.group(1)
        metadata["dependencies"] = [f"entitle=={found.group(1)}", *self.config["dependencies"]]
