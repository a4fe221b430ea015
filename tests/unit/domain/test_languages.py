"""Which language a page is written in, and which variant of it writes its dates."""

from __future__ import annotations

from entitle.domain import languages


def test_the_users_choice_then_the_browsers_most_wanted_then_english() -> None:
    assert languages.negotiate("ja", "de-DE") == "ja"
    assert languages.negotiate(None, "fr-FR, de-AT;q=0.8, ja;q=0.9") == "ja"
    assert languages.negotiate("fr", "fr-FR, de;q=0.1") == "de"
    assert languages.negotiate(None, "fr-FR, de;q=0") == "en"
    assert languages.negotiate(None, None) == "en"
    # A weight that is not a number counts as not wanted.
    assert languages.negotiate(None, "de;q=x, ja;q=0.3") == "ja"


def test_dates_follow_the_readers_own_variant_of_the_pages_language() -> None:
    assert languages.variant("en", "en-GB,en;q=0.9,de;q=0.5") == "en-GB"
    assert languages.variant("de", "en-GB, de-CH;q=0.5, de;q=0.4") == "de-CH"
    # The most wanted variant, whatever order the header lists them in.
    assert languages.variant("en", "en-US;q=0.2, en-AU;q=0.8") == "en-AU"
    # None of the page's language, or no header: the language itself.
    assert languages.variant("ja", "de-DE") == "ja"
    assert languages.variant("ja", None) == "ja"
    # A tag that is not one is ignored.
    assert languages.variant("en", "en-<script>") == "en"
