"""Message catalogs of the portal: extract the msgids, update the az/en/ru catalogs, check that all are translated.

    .venv/bin/python scripts/i18n.py           # re-extract portal/locales/messages.pot, update the three .po files
    .venv/bin/python scripts/i18n.py --check   # exit 1, listing msgids missing or untranslated in a language

Msgids are the English texts in ``_()`` (portal.i18n) and ``N_()`` (portal.errors); babel.cfg says which files are
read. Updating works like ``pybabel update``: translations are kept, a changed msgid gets the translation of the
closest old one flagged fuzzy (untranslated until someone checks it and removes the flag), and the translation of a
msgid no longer in the code is kept as obsolete (``#~``) and comes back when the msgid does (``--drop-obsolete``
removes them). For en, the source language, an empty or fuzzy msgstr is filled with the msgid.

The output is stable: messages sorted by msgid, locations without line numbers, and a file is rewritten only when
more than its dates would change.
"""

from __future__ import annotations

import argparse
import copy
import io
import string
import sys
import tomllib
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / 'babel.cfg'
LOCALES = ROOT / 'portal' / 'locales'
TEMPLATE = LOCALES / 'messages.pot'
LANGUAGES = ('az', 'en', 'ru')  # the keys of portal.i18n.LANGUAGES
SOURCE_LANGUAGE = 'en'  # the language of the msgids
KEYWORDS: dict[str, Any] = {'_': None, 'N_': None}
COMMENT_TAGS = ('TRANSLATORS:',)
WIDTH = 120
TEMPLATE_HEADER = (
    '# Message template of Kabinet, extracted from the portal package by scripts/i18n.py.\n'
    '# Do not edit: change the code, then run the script.'
)
CATALOG_HEADER = (
    '# {language} messages of Kabinet.\n'
    '# Kept up to date by scripts/i18n.py: translate the msgstr lines, leave the rest to the script.'
)
LANGUAGE_NAMES = {'az': 'Azerbaijani', 'en': 'English', 'ru': 'Russian'}
DATED = (b'"POT-Creation-Date:', b'"PO-Revision-Date:')


def catalog_path(lang: str) -> Path:
    return LOCALES / lang / 'LC_MESSAGES' / 'messages.po'


def _version() -> str:
    with (ROOT / 'pyproject.toml').open('rb') as f:
        return str(tomllib.load(f)['project']['version'])


def extract() -> Catalog:
    """The template: every msgid of the code, with the files it appears in."""
    with CONFIG.open(encoding='utf-8') as f:
        method_map, options_map = parse_mapping_cfg(f, str(CONFIG))
    template = Catalog(project='Kabinet', version=_version(), header_comment=TEMPLATE_HEADER, fuzzy=False)
    found = extract_from_dir(
        ROOT, method_map, options_map, keywords=KEYWORDS, comment_tags=COMMENT_TAGS, strip_comment_tags=True
    )
    for filename, lineno, message, comments, context in found:
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def load(path: Path, lang: str | None = None) -> Catalog:
    with path.open('rb') as f:
        return read_po(f, locale=lang)


def save(catalog: Catalog, path: Path, *, drop_obsolete: bool = False) -> bool:
    """Write the catalog unless only its dates would change; True if the file was written."""
    out = io.BytesIO()
    write_po(out, catalog, width=WIDTH, sort_output=True, include_lineno=False, ignore_obsolete=drop_obsolete)
    data = out.getvalue()
    if path.exists() and _undated(path.read_bytes()) == _undated(data):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


def _undated(data: bytes) -> list[bytes]:
    return [line for line in data.splitlines() if not line.startswith(DATED)]


def updated(lang: str, template: Catalog) -> Catalog:
    """The language's catalog brought in line with the template, its translations kept.

    Unlike ``pybabel update``, an obsolete (``#~``) translation comes back when its msgid is in the code again.
    """
    path = catalog_path(lang)
    if path.exists():
        catalog = load(path, lang)
    else:
        name = LANGUAGE_NAMES.get(lang, lang)
        catalog = Catalog(
            locale=lang,
            project=template.project,
            version=template.version,
            revision_date=datetime.now(UTC),
            header_comment=CATALOG_HEADER.format(language=name),
            last_translator='Kabinet contributors',
            language_team=name,
            fuzzy=False,
        )
    for message in list(catalog.obsolete.values()):
        if message.id not in catalog:
            catalog[message.id] = message
    catalog.obsolete.clear()
    catalog.project, catalog.version = template.project, template.version
    catalog.update(copy.deepcopy(template))  # update() adopts the template's new messages: keep them unshared
    if lang == SOURCE_LANGUAGE:
        for message in catalog:
            if message.id and isinstance(message.id, str) and (not message.string or message.fuzzy):
                message.string = message.id
                message.flags.discard('fuzzy')
                message.previous_id = []
    return catalog


def update(*, drop_obsolete: bool = False) -> list[str]:
    """Re-extract the template and update every language; the paths written, relative to the repository."""
    written = []
    if save(extract(), TEMPLATE):
        written.append(TEMPLATE)
    template = load(TEMPLATE)  # as on disk, so the catalogs carry the template's creation date
    for lang in LANGUAGES:
        path = catalog_path(lang)
        if save(updated(lang, template), path, drop_obsolete=drop_obsolete):
            written.append(path)
    return [str(p.relative_to(ROOT)) for p in written]


def placeholders(text: str) -> set[str]:
    """The ``{name}`` fields of a str.format text (``{{`` is a literal brace)."""
    fields = set()
    for _literal, name, spec, conversion in string.Formatter().parse(text):
        if name is not None:
            fields.add('{' + name + (f'!{conversion}' if conversion else '') + (f':{spec}' if spec else '') + '}')
    return fields


def problems(template: Catalog, catalogs: dict[str, Catalog]) -> list[str]:
    """What keeps the catalogs from covering the template: one line per message and language."""
    found = []
    for lang, catalog in catalogs.items():
        for message in _messages(template):
            translated = catalog.get(message.id, message.context)
            if translated is None:
                found.append(f'{lang}: missing: {message.id!r}')
            elif not translated.string:
                found.append(f'{lang}: untranslated: {message.id!r}')
            elif translated.fuzzy:
                found.append(f'{lang}: fuzzy: {message.id!r}')
            else:
                found.extend(_placeholder_problems(lang, message, translated))
    return found


def _placeholder_problems(lang: str, message: Message, translated: Message) -> list[str]:
    try:
        same = placeholders(str(translated.string)) == placeholders(str(message.id))
    except ValueError as exc:  # unbalanced braces
        return [f'{lang}: malformed ({exc}): {message.id!r}']
    return [] if same else [f'{lang}: placeholders differ: {message.id!r} -> {translated.string!r}']


def _messages(catalog: Catalog) -> Iterable[Message]:
    return (m for m in catalog if m.id)


def check() -> list[str]:
    """Problems of the catalogs on disk against the code as it is now (not against a possibly stale template)."""
    template = extract()
    catalogs = {}
    found = []
    for lang in LANGUAGES:
        path = catalog_path(lang)
        if path.exists():
            catalogs[lang] = load(path, lang)
        else:
            found.append(f'{lang}: no catalog at {path.relative_to(ROOT)}')
    found += problems(template, catalogs)
    if not TEMPLATE.exists() or {m.id for m in _messages(load(TEMPLATE))} != {m.id for m in _messages(template)}:
        found.append(f'{TEMPLATE.relative_to(ROOT)} is out of date')
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or '').split('\n', 1)[0])
    parser.add_argument(
        '--check', action='store_true', help='write nothing; exit 1 listing missing or untranslated messages'
    )
    parser.add_argument(
        '--drop-obsolete', action='store_true', help='remove the translations of msgids no longer in the code (#~)'
    )
    args = parser.parse_args(argv)
    if args.check:
        found = check()
        for line in found:
            sys.stderr.write(f'{line}\n')
        if found:
            sys.stderr.write(f'{len(found)} problem(s); run: .venv/bin/python scripts/i18n.py, then translate\n')
            return 1
        sys.stdout.write(f'{len(list(_messages(extract())))} messages, translated in {", ".join(LANGUAGES)}\n')
        return 0
    written = update(drop_obsolete=args.drop_obsolete)
    for path in written:
        sys.stdout.write(f'updated {path}\n')
    template = load(TEMPLATE)
    catalogs = {lang: load(catalog_path(lang), lang) for lang in LANGUAGES}
    todo = problems(template, catalogs)
    sys.stdout.write(f'{len(list(_messages(template)))} messages; {len(todo)} to translate or check\n')
    for line in todo:
        sys.stdout.write(f'  {line}\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
