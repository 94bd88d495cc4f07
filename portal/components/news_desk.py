"""The executive's news desk: the form to publish (or edit) an item — kind, title, place, tags, formatted body, image —
and the executive's items with edit and withdraw, live for every officer of the executive.

The form is built once beside the list, so a live redraw never wipes what an officer is typing. The store refuses bad
input naming the field, shown under it; an image is judged by the store from its bytes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from nicegui import events, ui

from portal.components.accessible import upload_header
from portal.components.errors import show_error, show_problem
from portal.components.letter_compose import read_at_most
from portal.components.live import FoldedReload, subscribe
from portal.components.news import KINDS, item_meta
from portal.components.participation import FieldErrors
from portal.errors import DomainError
from portal.i18n import _, fmt_datetime
from portal.live import Event
from portal.store.actors import PersonActor
from portal.store.news import content, publishing
from portal.store.news.models import LOCATION_MAX, TAGS_MAX, TITLE_MAX, NewsKind
from portal.store.news.publishing import ExecutiveView, NewsPage, NewsView

DESK_PAGE = 20
# the editor's buttons: the safe subset the store keeps, nothing more
TOOLBAR: list[list[Any]] = [
    ['bold', 'italic'],
    ['unordered', 'ordered'],
    ['quote', 'link'],
    [{'label': 'H', 'icon': 'title', 'list': 'no-icons', 'options': ['p', 'h3', 'h4']}],
    ['undo', 'redo'],
]
# Quasar draws a disabled toolbar button as a link with no role (its name then names nothing): the link button stays
# enabled instead, and with no text selected it links the word at the caret
TOOLBAR_DEFINITIONS = {'link': {'disable': False}}


class news_desk(ui.column):  # an element-like component
    def __init__(self, *, actor: PersonActor, executive: ExecutiveView, first: NewsPage) -> None:
        super().__init__()
        self.actor, self.executive, self.data = actor, executive, first
        self.classes('w-full gap-4').mark('news-desk')
        with self:
            self.form = news_form(actor=actor, on_saved=self.reload_now)
            with ui.card().classes('w-full').mark('desk-news'):
                ui.label(_('Our news')).classes('text-h6')
                self.render = ui.refreshable(self._items)
                self.render()
            self.confirm = withdraw_dialog(on_confirm=self._withdraw)
        self.reload = FoldedReload(self._reload)
        subscribe(executive.topic, self._on_event)

    def _items(self) -> None:
        if not self.data.items:
            ui.label(_('Nothing published yet.')).classes('text-grey-8').mark('desk-news-empty')
        for item in self.data.items:
            with ui.card().classes('w-full').props('flat bordered').mark('desk-news-item', f'desk-news-{item.id}'):
                with ui.row().classes('w-full items-center gap-2'):
                    ui.link(item.title, f'/news/item/{item.id}').classes('text-weight-bold').mark('desk-news-title')
                    ui.space()
                    ui.button(_('Edit'), icon='edit', on_click=lambda i=item: self.form.edit(i)).props(
                        'flat dense no-caps'
                    ).mark('desk-news-edit')
                    ui.button(_('Withdraw'), icon='delete', on_click=lambda i=item: self.confirm.ask(i)).props(
                        'flat dense no-caps color=negative'
                    ).mark('desk-news-withdraw')
                item_meta(item, with_executive=False)

    async def _withdraw(self, item: NewsView) -> None:
        try:
            await publishing.withdraw(actor=self.actor, item_id=item.id, now=_now())
        except DomainError as exc:  # withdrawn meanwhile by another officer
            show_error(exc)
        else:
            ui.notify(_('The item is withdrawn.'), type='positive')
        if self.form.editing is not None and self.form.editing.id == item.id:
            self.form.reset()
        await self.reload()

    async def reload_now(self) -> None:
        await self.reload()

    async def _reload(self) -> None:
        self.data = await load_desk_news(self.executive)
        if not self.is_deleted:
            self.render.refresh()

    async def _on_event(self, event: Event) -> None:
        if event.kind.startswith('news.'):
            await self.reload()


async def load_desk_news(executive: ExecutiveView) -> NewsPage:
    return await publishing.list_news(executive_code=executive.code, limit=DESK_PAGE)


class news_form(ui.card):  # an element-like component
    """A new item, or changes to one of the executive's."""

    def __init__(self, *, actor: PersonActor, on_saved: Callable[[], Awaitable[None]]) -> None:
        super().__init__()
        self.actor, self.on_saved = actor, on_saved
        self.editing: NewsView | None = None
        self.image: bytes | None = None
        self.errors = FieldErrors('news')
        self.classes('w-full').mark('news-form')
        with self:
            self.heading = ui.label(_('Publish')).classes('text-h6').mark('news-form-heading')
            kinds = {k.value: _(label) for k, (label, _color) in KINDS.items()}
            self.kind = ui.toggle(kinds, value=NewsKind.NEWS.value).mark('news-form-kind')
            self.errors.line('kind')
            self.title = ui.input(_('Title')).props(f'maxlength={TITLE_MAX} counter').classes('w-full')
            self.title.mark('news-form-title')
            self.errors.line('title')
            self.location = ui.input(_('Place (for a work done)')).props(f'maxlength={LOCATION_MAX}')
            self.location.classes('w-full max-w-xl').mark('news-form-location')
            self.errors.line('location')
            self.tags = ui.input(_('Tags, separated by commas'), placeholder=_('e.g. roads, lighting'))
            self.tags.classes('w-full max-w-xl').mark('news-form-tags')
            self.errors.line('tags')
            self.body = ui.editor(placeholder=_('Text')).classes('w-full').mark('news-form-body')
            self.body.props['toolbar'] = TOOLBAR
            self.body.props['definitions'] = TOOLBAR_DEFINITIONS
            self.body.props['paragraph-tag'] = 'p'
            self.errors.line('body')
            ui.label(_('Image: PNG, JPEG or WebP, at most {size} MB.', size=content.MAX_IMAGE_BYTES // 2**20)).classes(
                'text-caption text-grey-8'
            )
            with ui.row().classes('items-center gap-2'):
                self.upload = ui.upload(
                    label=_('Choose an image'),
                    auto_upload=True,
                    max_file_size=content.MAX_IMAGE_BYTES,
                    on_upload=self._uploaded,
                    on_rejected=lambda: show_problem(
                        _('The image is larger than {limit} MB.', limit=content.MAX_IMAGE_BYTES // 2**20)
                    ),
                )
                self.upload.props('accept="image/png,image/jpeg,image/webp"').classes('max-w-xs').mark(
                    'news-form-upload'
                )
                upload_header(self.upload, _('Choose an image'))
                self.image_name = ui.label().classes('text-caption').mark('news-form-image')
                self.drop = ui.button(icon='close', on_click=self._forget_image).props('flat dense round')
                self.drop.props(f'aria-label="{_("Remove the image")}"').mark('news-form-image-remove')
            self.errors.line('image')
            with ui.row().classes('gap-2'):
                self.send = ui.button(_('Publish'), icon='campaign', on_click=self._send).mark('news-form-send')
                self.cancel = ui.button(_('Cancel editing'), on_click=self.reset).props('flat').mark('news-form-cancel')
        self.drop_image = False
        self._show_image('')
        self.cancel.set_visibility(False)

    def edit(self, item: NewsView) -> None:
        self.reset()
        self.editing = item
        self.heading.set_text(_('Edit: {title}', title=item.title))
        self.kind.set_value(item.kind.value)
        self.title.set_value(item.title)
        self.location.set_value(item.location)
        self.tags.set_value(', '.join(item.tags))
        self.body.set_value(item.body_html)
        self._show_image(_('The current image') if item.image_url else '')
        self.send.set_text(_('Save changes'))
        self.cancel.set_visibility(True)
        self.run_method('scrollIntoView')

    def reset(self) -> None:
        self.editing, self.image, self.drop_image = None, None, False
        self.errors.clear()
        self.heading.set_text(_('Publish'))
        self.kind.set_value(NewsKind.NEWS.value)
        for field in (self.title, self.location, self.tags, self.body):
            field.set_value('')
        self.upload.reset()
        self._show_image('')
        self.send.set_text(_('Publish'))
        self.cancel.set_visibility(False)

    async def _uploaded(self, e: events.UploadEventArguments) -> None:
        self.errors.clear()
        data = await read_at_most(e.file, content.MAX_IMAGE_BYTES + 1)
        self.upload.reset()
        try:
            await content.check_image(data)  # told at once; the store checks it again when publishing
        except DomainError as exc:
            self.errors.show(exc)
            return
        self.image, self.drop_image = data, False
        self._show_image(e.file.name)

    def _forget_image(self) -> None:
        self.image = None
        self.drop_image = self.editing is not None and self.editing.image_url is not None
        self._show_image('')

    def _show_image(self, name: str) -> None:
        self.image_name.set_text(name)
        self.image_name.set_visibility(bool(name))
        self.drop.set_visibility(bool(name))

    async def _send(self) -> None:
        self.errors.clear()
        values: dict[str, Any] = {
            'kind': str(self.kind.value or ''),
            'title': self.title.value or '',
            'body': self.body.value or '',
            'location': self.location.value or '',
            'tags': [t for t in str(self.tags.value or '').split(',') if t.strip()][: TAGS_MAX * 2],
            'image': self.image,
            'now': _now(),
        }
        self.send.disable()
        try:
            if self.editing is None:
                await publishing.publish(actor=self.actor, **values)
                done = _('Published: followers are told.')
            else:
                await publishing.edit(actor=self.actor, item_id=self.editing.id, drop_image=self.drop_image, **values)
                done = _('The changes are saved.')
        except DomainError as exc:
            self.errors.show(exc)
            return
        finally:
            self.send.enable()
        self.reset()
        ui.notify(done, type='positive')
        await self.on_saved()


class withdraw_dialog(ui.dialog):  # an element-like component
    def __init__(self, *, on_confirm: Callable[[NewsView], Awaitable[None]]) -> None:
        super().__init__()
        self.on_confirm = on_confirm
        self.target: NewsView | None = None
        with self, ui.card().mark('withdraw-dialog'):
            ui.label(_('Withdraw this item?')).classes('text-h6')
            self.subject = ui.label().mark('withdraw-subject')
            self.when = ui.label().classes('text-caption text-grey-8')
            with ui.row().classes('w-full justify-end'):
                ui.button(_('Cancel'), on_click=self.close).props('flat').mark('withdraw-cancel')
                ui.button(_('Withdraw'), on_click=self._confirm).props('color=negative').mark('withdraw-send')

    def ask(self, item: NewsView) -> None:
        self.target = item
        self.subject.set_text(item.title)
        self.when.set_text(fmt_datetime(item.published_at))
        self.open()

    async def _confirm(self) -> None:
        if self.target is None:
            return
        target, self.target = self.target, None
        self.close()
        await self.on_confirm(target)


def _now() -> datetime:
    return datetime.now(UTC)
