"""The message catalogs cover the code: every msgid translated in az and ru, present in en, placeholders kept.

When this fails after a code change, run ``.venv/bin/python scripts/i18n.py`` and translate what it lists.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest
from babel.messages.catalog import Catalog

from portal.i18n import LANGUAGES, translate

SCRIPT = Path(__file__).resolve().parent.parent / 'scripts' / 'i18n.py'
PLACEHOLDER = re.compile(r'\{[^{}]*\}')


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location('kabinet_i18n_script', SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


script = _load_script()


@pytest.fixture(scope='module')
def msgids() -> list[str]:
    """Every msgid in the code as it is now, extracted afresh."""
    return sorted(str(m.id) for m in script.extract() if m.id)


@pytest.fixture(scope='module')
def catalogs() -> dict[str, Catalog]:
    return {lang: script.load(script.catalog_path(lang), lang) for lang in LANGUAGES}


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def test_the_script_serves_the_portals_languages() -> None:
    assert set(script.LANGUAGES) == set(LANGUAGES)


def test_both_markers_are_extracted(msgids: list[str]) -> None:
    assert 'Log in' in msgids  # _() in a page
    assert 'The FIN or the password is wrong.' in msgids  # N_() in the store
    assert 'Registered address' in msgids  # N_() in a declaration


@pytest.mark.parametrize('lang', ['az', 'ru'])
def test_every_msgid_is_translated(lang: str, msgids: list[str], catalogs: dict[str, Catalog]) -> None:
    catalog = catalogs[lang]
    missing = [m for m in msgids if m not in catalog]
    untranslated = [m for m in msgids if m in catalog and not catalog[m].string]
    fuzzy = [m for m in msgids if m in catalog and catalog[m].string and catalog[m].fuzzy]
    assert not missing, f'{lang}: not in the catalog (run scripts/i18n.py): {missing}'
    assert not untranslated, f'{lang}: untranslated: {untranslated}'
    assert not fuzzy, f'{lang}: fuzzy, to check: {fuzzy}'


def test_every_msgid_is_in_english(msgids: list[str], catalogs: dict[str, Catalog]) -> None:
    catalog = catalogs['en']
    assert [m for m in msgids if m not in catalog] == []
    assert [m for m in msgids if catalog[m].fuzzy] == []


@pytest.mark.parametrize('lang', sorted(LANGUAGES))
def test_translations_keep_the_placeholders(lang: str, msgids: list[str], catalogs: dict[str, Catalog]) -> None:
    catalog = catalogs[lang]
    wrong = {
        m: catalog[m].string
        for m in msgids
        if m in catalog and catalog[m].string and _placeholders(str(catalog[m].string)) != _placeholders(m)
    }
    assert wrong == {}


def test_translate_into_azerbaijani() -> None:
    assert translate('Log in', 'az') == 'Daxil ol'
    assert translate('Personal cabinet', 'az') == 'Şəxsi kabinet'
    assert translate('Log in', 'ru') == 'Войти'
    assert translate('Log in', 'en') == 'Log in'


def test_translate_fills_the_placeholders() -> None:
    assert translate('Welcome, {name}', 'az', name='Aysel') == 'Xoş gəlmisiniz, Aysel'
    assert translate('Welcome, {name}', 'ru', name='Aysel') == 'Добро пожаловать, Aysel'
    assert translate('Welcome, {name}', 'en', name='Aysel') == 'Welcome, Aysel'
    assert translate('Code: {code}', 'az', code='MIA') == 'Kod: MIA'


def test_unknown_language_falls_back_to_the_msgid() -> None:
    assert translate('Log in', 'fr') == 'Log in'
    assert translate('Welcome, {name}', 'xx', name='Aysel') == 'Welcome, Aysel'
    assert translate('A text nobody translated', 'az') == 'A text nobody translated'
