"""The portal's catalogs are complete: every English string marked in the templates, the Python
and the JavaScript modules is in the templates (.pot) and translated in every language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from entitle.domain.languages import DEFAULT, LANGUAGES
from entitle.service import translations

ROOT = Path(__file__).resolve().parents[3]
LOCALE = ROOT / "src" / "entitle" / "locale"
KEYWORDS = {
    "messages": {
        "_": None,
        "N_": None,
        "gettext": None,
        "ngettext": (1, 2),
        "pgettext": ((1, "c"), 2),
    },
    "js": {"t": None, "tn": (1, 2)},
}
CONFIG = {"messages": "babel.cfg", "js": "babel-js.cfg"}
OTHERS = sorted(set(LANGUAGES) - {DEFAULT})
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}")


def _ids(message_id: str | tuple[str, ...]) -> str:
    return message_id if isinstance(message_id, str) else message_id[0]


def _source_strings(domain: str) -> set[str]:
    with (ROOT / CONFIG[domain]).open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found: set[str] = set()
    for _file, _line, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS[domain]
    ):
        text = _ids(message)
        found.add(f"{context}\x04{text}" if context else text)
    return found


def _catalog(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def _keys(catalog: Catalog) -> set[str]:
    return {f"{m.context}\x04{_ids(m.id)}" if m.context else _ids(m.id) for m in catalog if m.id}


@pytest.mark.parametrize("domain", sorted(CONFIG))
def test_the_templates_hold_every_marked_string(domain: str) -> None:
    template = _keys(_catalog(LOCALE / f"{domain}.pot"))
    missing = sorted(_source_strings(domain) - template)
    assert not missing, f"run `make messages`: {domain}.pot lacks {missing[:10]}"


@pytest.mark.parametrize("language", OTHERS)
@pytest.mark.parametrize("domain", sorted(CONFIG))
def test_every_language_translates_every_string(domain: str, language: str) -> None:
    template = _catalog(LOCALE / f"{domain}.pot")
    catalog = _catalog(LOCALE / language / "LC_MESSAGES" / f"{domain}.po", language)
    missing, untranslated, fuzzy, placeholders = [], [], [], []
    for wanted in template:
        if not wanted.id:
            continue
        found = catalog.get(wanted.id, context=wanted.context)
        if found is None:
            missing.append(_ids(wanted.id))
            continue
        forms = found.string if isinstance(found.string, tuple) else (found.string,)
        if not all(forms):
            untranslated.append(_ids(wanted.id))
        if found.fuzzy:
            fuzzy.append(_ids(wanted.id))
        english = set(
            PLACEHOLDER.findall(
                " ".join(wanted.id if isinstance(wanted.id, tuple) else (wanted.id,))
            )
        )
        for form in forms:
            if (form and set(PLACEHOLDER.findall(form)) - english) or (
                form
                and not isinstance(wanted.id, tuple)
                and english - set(PLACEHOLDER.findall(form))
            ):
                placeholders.append((_ids(wanted.id), form))
    assert not missing, f"{language}/{domain}.po lacks {len(missing)}: {missing[:10]}"
    assert not untranslated, (
        f"{language}/{domain}.po leaves {len(untranslated)} empty: {untranslated[:10]}"
    )
    assert not fuzzy, f"{language}/{domain}.po marks {len(fuzzy)} fuzzy: {fuzzy[:10]}"
    assert not placeholders, f"{language}/{domain}.po changes placeholders: {placeholders[:5]}"


@pytest.mark.parametrize("language", OTHERS)
def test_each_compiled_catalog_is_installed_and_current(language: str) -> None:
    for domain in CONFIG:
        po = LOCALE / language / "LC_MESSAGES" / f"{domain}.po"
        mo = po.with_suffix(".mo")
        assert mo.is_file(), f"{mo} is not compiled"
        assert mo.stat().st_mtime >= po.stat().st_mtime, f"{mo} is older than its .po"
    assert translations.translations(language) is not translations.translations(DEFAULT)


@pytest.mark.parametrize("language", OTHERS)
def test_a_text_the_pages_and_their_scripts_share_reads_the_same_in_both(language: str) -> None:
    # The server renders "Entitlement Country" in a form, the script in the grid's header:
    # one word for one thing.
    pages = _catalog(LOCALE / language / "LC_MESSAGES" / "messages.po", language)
    scripts = _catalog(LOCALE / language / "LC_MESSAGES" / "js.po", language)
    rendered = {m.id: m.string for m in pages if isinstance(m.id, str) and m.id and not m.context}
    differing = [
        (m.id, rendered[m.id], m.string)
        for m in scripts
        if isinstance(m.id, str) and m.id in rendered and rendered[m.id] != m.string
    ]
    assert not differing, f"{language}: the same text translated two ways: {differing}"
