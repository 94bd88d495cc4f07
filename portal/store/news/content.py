"""What an item is made of, checked on the way in: the body as HTML of a small safe subset, its plain-text copy, the
tags, and the image.

The body is sanitised with nh3 (the Rust ammonia sanitiser) to paragraphs, line breaks, bold, italic, lists, h3/h4
headings, block quotes and links: scripts, styles, frames, SVG and MathML go with their content, every other tag is
dropped keeping its text, every attribute but a link's ``href`` is dropped, and a link keeps only an absolute http(s)
address and gets ``rel="noopener nofollow"``. What remains runs nothing in a browser.

The image is judged by its content with Pillow (a PNG, JPEG or WebP picture that opens and verifies, at most 5 MB
and 40 megapixels), never by a name or a declared type, and kept under a random name in the ``news`` folder beside
the attachments, outside any static route.
"""

from __future__ import annotations

import asyncio
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import nh3
from PIL import Image, UnidentifiedImageError

from portal.errors import N_, Invalid
from portal.store.letters import files
from portal.store.letters.models import search_key
from portal.store.news.models import TAG_MAX, TAGS_MAX

BODY_HTML_MAX = 50_000  # what may be sent, before sanitising
BODY_TEXT_MAX = 10_000  # the text that remains
ALLOWED_TAGS = frozenset({'p', 'br', 'b', 'strong', 'i', 'em', 'ul', 'ol', 'li', 'h3', 'h4', 'blockquote', 'a'})
# removed together with everything inside them
DROPPED_WITH_CONTENT = frozenset(
    {
        'script',
        'style',
        'iframe',
        'frame',
        'frameset',
        'object',
        'embed',
        'svg',
        'math',
        'noscript',
        'noembed',
        'noframes',
        'template',
        'textarea',
        'select',
        'title',
        'xmp',
    }
)
LINK_REL = 'noopener nofollow'
IMAGE_TYPES = {'PNG': 'image/png', 'JPEG': 'image/jpeg', 'WEBP': 'image/webp'}
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
IMAGE_FOLDER = 'news'
_BLOCKS = frozenset({'p', 'h3', 'h4', 'blockquote', 'ul', 'ol'})


def sanitise(html: str) -> str:
    """The safe subset of an HTML fragment (see the module's text)."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={'a': {'href'}},
        url_schemes={'http', 'https'},
        url_relative='deny',
        link_rel=LINK_REL,
        strip_comments=True,
    ).strip()


def plain_text(safe_html: str) -> str:
    """The text of sanitised HTML for search, feeds and notices: paragraphs apart, list items on their own lines."""
    reader = _TextReader()
    reader.feed(safe_html)
    reader.close()
    lines = [' '.join(line.split()) for line in ''.join(reader.parts).split('\n')]
    return re.sub(r'\n{3,}', '\n\n', '\n'.join(lines)).strip()


def check_body(body: object) -> tuple[str, str]:
    """The sanitised HTML and its text, or a refusal naming the field ``body``."""
    raw = str(body or '')
    if len(raw) > BODY_HTML_MAX:
        raise Invalid('too_long', N_('At most {limit} characters.'), field='body', limit=BODY_HTML_MAX)
    safe = sanitise(raw)
    text = plain_text(safe)
    if not text:
        raise Invalid('required', N_('This field is required.'), field='body')
    if len(text) > BODY_TEXT_MAX:
        raise Invalid('too_long', N_('At most {limit} characters.'), field='body', limit=BODY_TEXT_MAX)
    return safe, text


def check_tags(tags: object) -> list[str]:
    """A few short tags, spaces tidied, repeats (in any case) dropped."""
    raw = tags if isinstance(tags, list | tuple) else []
    clean: dict[str, str] = {}
    for tag in raw:
        text = ' '.join(str(tag or '').split()).lstrip('#').strip()
        if not text:
            continue
        if len(text) > TAG_MAX or '|' in text:
            raise Invalid(
                'invalid_tag', N_('A tag is at most {limit} characters, without “|”.'), field='tags', limit=TAG_MAX
            )
        clean.setdefault(search_key(text), text)
    if len(clean) > TAGS_MAX:
        raise Invalid('too_many_tags', N_('At most {limit} tags.'), field='tags', limit=TAGS_MAX)
    return list(clean.values())


def tag_key(tags: list[str]) -> str:
    return '|' + ''.join(f'{search_key(t)}|' for t in tags) if tags else ''


async def check_image(content: bytes) -> str:
    """The content type of an image that may be published, or a clear refusal; decoding runs off the event loop."""
    if not content:
        raise Invalid('image_empty', N_('The image file is empty.'), field='image')
    if len(content) > MAX_IMAGE_BYTES:
        raise Invalid(
            'image_too_large',
            N_('The image is larger than {limit} MB.'),
            field='image',
            limit=MAX_IMAGE_BYTES // (1024 * 1024),
        )
    return await asyncio.to_thread(_image_type, content)


def _image_type(content: bytes) -> str:
    refused = Invalid('image_type_not_allowed', N_('The image must be a PNG, JPEG or WebP picture.'), field='image')
    try:
        with Image.open(io.BytesIO(content), formats=list(IMAGE_TYPES)) as image:
            kind, (width, height) = image.format, image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise Invalid(
                    'image_too_large',
                    N_('The image is larger than {limit} megapixels.'),
                    field='image',
                    limit=MAX_IMAGE_PIXELS // 1_000_000,
                )
            image.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        raise refused from None
    if kind not in IMAGE_TYPES:
        raise refused
    return IMAGE_TYPES[kind]


def image_folder() -> Path:
    # a folder of its own: the attachment sweep walks only the files at the top of the attachment folder
    path = files.folder() / IMAGE_FOLDER
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_image(content: bytes) -> str:
    """Write an image under a new random name; written whole or not at all."""
    return files.store_bytes(content, into=image_folder())


def read_image(name: str) -> bytes:
    return files.read_bytes(name, within=image_folder())


def delete_image(name: str | None) -> None:
    if name:
        files.delete_file(name, within=image_folder())


class _TextReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self.parts.append('\n\n')
        elif tag in ('br', 'li'):
            self.parts.append('\n')

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS:
            self.parts.append('\n\n')

    def handle_data(self, data: str) -> None:
        self.parts.append(data)
