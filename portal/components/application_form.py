"""The application form of a local executive's e-service: the applicant's data from the registry (shown, never
retyped), the executive that receives it, one input per field of the form, one upload slot per document, and "Submit".

The store decides: a refusal naming a field is shown under that field's input and nothing typed is lost. Files are
checked by the store's own rules as they arrive, so a wrong file is refused at once; the store checks them all again
when the application is submitted.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from nicegui import ui

from portal.components.errors import error_text, show_error, show_problem
from portal.components.pending_files import pending_files
from portal.errors import N_, DomainError
from portal.i18n import _, current_language, fmt_date
from portal.store.actors import PersonActor
from portal.store.letters.files import MAX_FILE_BYTES, MAX_FILES, MAX_TOTAL_BYTES, Upload
from portal.store.orgs import Organisation
from portal.store.services import applications
from portal.store.services.forms import FORMS, Form, FormDocument, FormField

if TYPE_CHECKING:
    from portal.store.services.catalogue import ServiceView

NO_RESIDENCE = N_('This service needs a registered place of residence, and none is recorded for you.')
TEXT_KINDS = ('text', 'fin', 'integer', 'decimal')
INPUT_MODES = {'integer': 'numeric', 'decimal': 'decimal'}


async def application_form(actor: PersonActor, service: ServiceView) -> None:
    """Render the application form of a service (action 'application:<form>') for the citizen."""
    kind, _sep, code = service.action.partition(':')
    spec = FORMS.get(code) if kind == 'application' else None
    if spec is None:
        ui.label(_('There is no such application form.')).classes('text-negative').mark('application-no-form')
        return
    applicant = await applications.applicant_of(actor=actor)
    home = await applications.home_executive(actor=actor)
    executives = await applications.list_executives() if spec.region_rule == 'any' else []
    _applicant_card(applicant)
    if spec.region_rule == 'residence' and home is None:
        ui.label(_(NO_RESIDENCE)).classes('text-negative').mark('application-no-residence')
        return
    application_panel(actor=actor, service_code=service.code, spec=spec, home=home, executives=executives)


class application_panel(ui.column):  # an element-like component
    def __init__(
        self,
        *,
        actor: PersonActor,
        service_code: str,
        spec: Form,
        home: Organisation | None,
        executives: list[Organisation],
    ) -> None:
        super().__init__()
        self.actor, self.service_code, self.spec, self.home = actor, service_code, spec, home
        self.inputs: dict[str, ui.input | ui.textarea | ui.select | ui.checkbox] = {}
        self.errors: dict[str, ui.label] = {}
        self.labels: dict[str, str] = {}  # the translated label of everything a refusal may name
        self.documents: dict[str, document_slot] = {}
        self.executive: ui.select | None = None  # None: fixed to the executive of the place of residence
        self.classes('w-full gap-4').mark('application-form')
        lang = current_language()
        with self:
            with ui.card().props('flat bordered').classes('w-full gap-2').mark('application-executive'):
                ui.label(_('Local executive')).classes('text-subtitle1 text-weight-medium')
                self.labels['executive'] = _('Local executive')
                if spec.region_rule == 'residence' and home is not None:
                    ui.label(
                        _(
                            'Only the local executive of your registered place of residence provides this service: '
                            '{name}.',
                            name=home.display_name(lang),
                        )
                    ).mark('executive-fixed')
                else:
                    options = {o.code: o.display_name(lang) for o in executives}
                    default = home.code if home is not None and home.code in options else None
                    self.executive = ui.select(
                        options, label=_('Local executive') + ' *', value=default, with_input=True
                    ).classes('w-full max-w-xl')
                    self.executive.mark('executive')
                self.errors['executive'] = _error_label('field-error-executive')
            with ui.card().props('flat bordered').classes('w-full gap-2').mark('application-fields'):
                ui.label(_('Application')).classes('text-subtitle1 text-weight-medium')
                for spec_field in spec.fields:
                    self._field(spec_field)
            with ui.card().props('flat bordered').classes('w-full gap-2').mark('application-documents'):
                ui.label(_('Documents')).classes('text-subtitle1 text-weight-medium')
                ui.label(
                    _(
                        'Files: PDF, JPEG, PNG or DOCX; at most {count} files, {size} MB each, {total} MB in all.',
                        count=MAX_FILES,
                        size=MAX_FILE_BYTES // 2**20,
                        total=MAX_TOTAL_BYTES // 2**20,
                    )
                ).classes('text-caption text-grey-8')
                for document in spec.documents:
                    self.labels[document.name] = _(document.label)
                    self.documents[document.name] = document_slot(document, sizes=self._sizes)
            self.error = _error_label('application-error')
            self.submit = ui.button(_('Submit'), icon='send', on_click=self._submit).mark('application-submit')

    def _field(self, spec: FormField) -> None:
        label = _(spec.label)
        self.labels[spec.name] = label
        shown = f'{label} *' if spec.required else label
        mark = f'field-{spec.name}'
        element: ui.input | ui.textarea | ui.select | ui.checkbox
        if spec.kind == 'long_text':
            element = ui.textarea(shown).props(f'maxlength={spec.max_length} counter autogrow')
        elif spec.kind == 'choice':
            choices = {value: _(msgid) for value, msgid in spec.choices.items()}
            element = ui.select(choices, label=shown, clearable=not spec.required)
        elif spec.kind == 'boolean':
            element = ui.checkbox(shown, value=False)
        elif spec.kind == 'date':
            element = ui.input(shown).props('type=date stack-label')
        else:  # text, FIN and numbers are kept as typed: the store parses them
            element = ui.input(shown).props(f'maxlength={spec.max_length}')
            if spec.kind in INPUT_MODES:
                element.props(f'inputmode={INPUT_MODES[spec.kind]}')
        if spec.required:
            element.props('aria-required=true')
        element.classes('w-full max-w-xl').mark(mark)
        if spec.hint:
            ui.label(_(spec.hint)).classes('text-caption text-grey-8')
        self.inputs[spec.name] = element
        self.errors[spec.name] = _error_label(f'field-error-{spec.name}')

    def _sizes(self) -> list[int]:
        return [len(u.content) for slot in self.documents.values() for u in slot.uploads]

    def answers(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, element in self.inputs.items():
            if isinstance(element, ui.checkbox):
                values[name] = bool(element.value)
            else:
                values[name] = '' if element.value is None else str(element.value)
        return values

    async def _submit(self) -> None:
        for label in [*self.errors.values(), self.error, *(s.error for s in self.documents.values())]:
            label.set_visibility(False)
        if self.executive is not None:
            executive = str(self.executive.value or '')
        else:
            executive = self.home.code if self.home is not None else ''
        uploads = [(name, u) for name, slot in self.documents.items() for u in slot.uploads]
        self.submit.disable()
        try:
            view = await applications.submit_application(
                actor=self.actor,
                form=self.spec.code,
                service_code=self.service_code,
                executive_code=executive,
                answers=self.answers(),
                uploads=uploads,
                now=datetime.now(UTC),
            )
        except DomainError as exc:
            self._refused(exc)
            return
        finally:
            self.submit.enable()
        ui.navigate.to(f'/applications/{view.id}')

    def _refused(self, exc: DomainError) -> None:
        """Put the store's message under what it names (a field, the executive, a document), or below the form."""
        name = exc.field or ''
        target = self.errors.get(name) or (self.documents[name].error if name in self.documents else None)
        if target is None:
            show_error(exc, self.error)
            return
        message = error_text(exc)
        target.set_text(message)
        target.set_visibility(True)
        show_problem(_('{label}: {text}', label=self.labels[name], text=message))
        element = self.inputs.get(name) or (self.executive if name == 'executive' else None)
        if element is not None:
            element.run_method('focus')


class document_slot(ui.column):  # an element-like component
    """One document the form asks for: its uploader, the files given for it, and its own error line."""

    def __init__(self, document: FormDocument, *, sizes: Callable[[], list[int]]) -> None:
        super().__init__()
        self.name = document.name
        self.classes('w-full gap-1 py-1').mark(f'document-{document.name}')
        with self:
            label = _(document.label)
            ui.label(f'{label} *' if document.required else label).classes('text-weight-medium')
            self.error = _error_label(f'document-error-{document.name}')
            self.files = pending_files(
                label=_('Upload a file'),
                error=self.error,
                upload_mark=f'upload-{document.name}',
                item_mark=f'document-file-{document.name}',
                name_mark='document-file-name',
                remove_mark=f'remove-document-{document.name}',
                held=sizes,
            )
            self.files.uploader.classes('max-w-md')

    @property
    def uploads(self) -> list[Upload]:
        return self.files.uploads


def _applicant_card(applicant: applications.Applicant) -> None:
    with ui.card().props('flat bordered').classes('w-full gap-1').mark('applicant-data'):
        ui.label(_('Your data from the registry')).classes('text-subtitle1 text-weight-medium')
        rows = (
            (_('Full name'), applicant.full_name, 'applicant-name'),
            (_('FIN'), applicant.fin, 'applicant-fin'),
            (_('Date of birth'), fmt_date(applicant.birth_date) if applicant.birth_date else '—', 'applicant-birth'),
            (_('Registered address'), applicant.address or '—', 'applicant-address'),
        )
        for label, value, mark in rows:
            with ui.row().classes('gap-2 items-baseline'):
                ui.label(label).classes('text-grey-8 min-w-40')
                ui.label(value).mark(mark)
        ui.label(_('These data come from the state registry and cannot be changed here.')).classes(
            'text-caption text-grey-8'
        )


def _error_label(mark: str) -> ui.label:
    error = ui.label().classes('text-negative text-caption').mark(mark)
    error.set_visibility(False)
    return error
