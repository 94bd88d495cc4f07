"""The notice types ("bildiriş növləri"), declared as data: each has its template (an English msgid translated to az
and ru like every text of the portal), the variables the template uses, its default channels, and whether agencies
may send it through the API.

Variables are plain strings. When rendered, the values of a type's ``translated`` variables are msgids looked up in
the catalog (a document kind's title, a status), and a value under a name ending in ``_on`` that is an ISO date is
printed as a date in the reader's language; everything else is shown as given.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from datetime import date
from typing import Any

from portal.errors import N_, Invalid
from portal.i18n import fmt_date, translate


@dataclass(frozen=True)
class NoticeType:
    code: str
    number: int  # its place in the list: the seed's 18, then the portal's own
    title: str  # msgid: the type's name (settings, filters)
    text: str  # msgid: the notice itself (cabinet, SMS, e-mail body)
    variables: frozenset[str]
    sms: bool = False  # sent by SMS unless the citizen says otherwise
    email: bool = True  # sent by e-mail unless the citizen says otherwise
    # agencies' systems may send it through the API (the others are raised by the portal's own flows)
    agency: bool = False
    # only for citizens who asked for it (nothing is created for the others)
    opt_in: bool = False
    # the feature that raises it, when that feature is not built yet
    feature: str | None = None
    # the variables whose values are msgids (a document kind, a status), translated when rendered; the others are
    # shown as given (a letter's title is never looked up in the catalog)
    translated: frozenset[str] = frozenset()

    def subject(self, lang: str) -> str:
        return translate(self.title, lang)


def _t(code: str, number: int, title: str, text: str, *, translated: tuple[str, ...] = (), **kw: Any) -> NoticeType:
    names = {name for _, name, _, _ in string.Formatter().parse(text) if name}
    assert set(translated) <= names, code
    return NoticeType(code, number, title, text, frozenset(names), translated=frozenset(translated), **kw)


TYPES: dict[str, NoticeType] = {
    t.code: t
    for t in (
        _t(
            'document_expiry',
            1,
            N_('A document must be replaced'),
            N_('Your {document} No. {number} is valid until {expires_on}. Apply for a new one in time.'),
            translated=('document',),
            sms=True,
            agency=True,
        ),
        _t(
            'data_updated',
            2,
            N_('Your data was updated'),
            N_('{agency} updated your data: {what}.'),
            translated=('what',),
            agency=True,
        ),
        _t(
            'power_of_attorney',
            3,
            N_('Power of attorney changed'),
            N_('The legal status of power of attorney No. {number} changed: it is now {status}.'),
            translated=('status',),
            agency=True,
        ),
        _t(
            'court_case',
            4,
            N_('Court proceedings started'),
            N_('Court proceedings No. {case} were started in {court} in which you are a party.'),
            sms=True,
            agency=True,
        ),
        _t(
            'travel_restriction',
            5,
            N_("Debtor's travel restriction"),
            N_('The temporary restriction on leaving the country under order No. {order} is now {status}.'),
            translated=('status',),
            sms=True,
            agency=True,
        ),
        _t(
            'vaccination_due',
            6,
            N_("A child's vaccination is due"),
            N_("{child}'s vaccination is due on {due_on}: {vaccine}, dose {dose}."),
            sms=True,
            agency=True,
        ),
        _t(
            'payment_due',
            7,
            N_('Payment due'),
            N_('{what}: {amount} AZN is due on {due_on}.'),
            translated=('what',),
            agency=True,
            opt_in=True,
        ),
        _t(
            'service_news',
            8,
            N_('New services and system changes'),
            N_('{title}: {text}'),
            email=False,
            agency=True,
            opt_in=True,
        ),
        _t(
            'letter_status',
            9,
            N_('Letter status changed'),
            N_('Your letter “{title}” is now {status}.'),
            translated=('status',),
        ),
        _t('letter_answered', 10, N_('Letter answered'), N_('{agency} answered your letter “{title}”.'), sms=True),
        _t('letter_received', 11, N_('Letter from an agency'), N_('{agency} wrote to you: “{title}”.')),
        _t(
            'data_request',
            12,
            N_('A request for your data is waiting'),
            N_('{agency} asks to read your data: {what}. Approve or refuse it in your cabinet.'),
            translated=('what',),
            sms=True,
        ),
        _t(
            'data_accessed',
            13,
            N_('Your data was read'),
            N_('{agency} read your data: {what}.'),
            translated=('what',),
            opt_in=True,
        ),
        _t(
            'proposal_decided',
            14,
            N_('Your proposal was decided'),
            N_('Your proposal “{title}” was {decision}.'),
            translated=('decision',),
        ),
        _t(
            'new_poll',
            15,
            N_('A new poll in your district'),
            N_('{executive} asks your opinion: “{title}”.'),
            email=False,
        ),
        _t(
            'appointment',
            16,
            N_('Appointment scheduled or changed'),
            N_('Your meeting at {executive} is on {when}.'),
            sms=True,
        ),
        _t(
            'application_status',
            17,
            N_('Application status changed'),
            N_('Your application No. {number} ({service}) is now {status}.'),
            translated=('service', 'status'),
        ),
        _t(
            'certificate_revoked',
            18,
            N_('A certificate was revoked'),
            N_('{agency} revoked your certificate “{title}” (code {code}): {reason}'),
            sms=True,
        ),
        _t(
            'news_published',
            19,
            N_('News from a followed executive'),
            N_('News from {executive}: “{title}”'),
            email=False,
        ),
    )
}
assert len(TYPES) == 19 and sorted(t.number for t in TYPES.values()) == list(range(1, 20))
_ISO_DATE = re.compile(r'^\d{4}-\d{2}-\d{2}$')


def get_type(code: str) -> NoticeType:
    spec = TYPES.get(str(code))
    if spec is None:
        raise Invalid('unknown_type', N_('There is no such notice type.'), field='type')
    return spec


VALUE_MAX = 300


def check_params(spec: NoticeType, params: Any, *, strict: bool = True) -> dict[str, str]:
    """The variables of a notice: exactly the template's, each a short text. An agency's notice (``strict``) is
    refused when a value is empty or too long; a notice the portal raises with a change is never allowed to undo that
    change, so its values are cut to length and an empty one shows as a dash."""
    if not isinstance(params, dict):
        raise Invalid('invalid_params', N_('The variables must be an object.'), field='params')
    missing = sorted(spec.variables - set(params))
    if missing:
        raise Invalid('missing_variable', N_('The variable {name} is missing.'), field='params', name=missing[0])
    unknown = sorted(set(params) - spec.variables)
    if unknown:
        raise Invalid('unknown_variable', N_('The template has no variable {name}.'), field='params', name=unknown[0])
    clean = {}
    for name, value in params.items():
        text = ' '.join(str(value).split()) if not isinstance(value, (dict, list)) else ''
        if strict and (not text or len(text) > VALUE_MAX):
            raise Invalid('invalid_variable', N_('The variable {name} is not valid.'), field='params', name=name)
        clean[name] = (text or '—')[:VALUE_MAX]
    return clean


def render(spec: NoticeType, params: dict[str, Any], lang: str) -> str:
    """The notice's text in a language."""
    values = {name: _value(spec, name, params.get(name, ''), lang) for name in spec.variables}
    return translate(spec.text, lang, **values)


def _value(spec: NoticeType, name: str, value: Any, lang: str) -> str:
    text = str(value)
    if name.endswith('_on') and _ISO_DATE.match(text):
        return fmt_date(date.fromisoformat(text), lang)
    if not text or name not in spec.translated:
        return text
    # a list of msgids (data categories) is translated item by item
    return ', '.join(translate(part, lang) for part in text.split(', '))
