"""What keeps every page readable and usable by keyboard and screen reader (WCAG 2.1 AA): the portal's colours, the
focus ring, the page's language, and an upload box whose controls have names."""

from __future__ import annotations

import html
import json

from nicegui import app, ui

from portal.i18n import _

# Quasar's brand colours, each at least 4.5:1 against white: as a button's or badge's background under white text and
# as text on a white page (NiceGUI's defaults, e.g. primary #5898d4 or positive #21ba45, reach only 2.6–3.1:1)
COLORS = {
    'primary': '#1565c0',
    'secondary': '#00695c',
    'positive': '#2e7d32',
    'negative': '#c10015',
    'info': '#01579b',
    'warning': '#b45309',
}
# links in the primary colour (NiceGUI's #3b82f6 reaches 3.7:1); a focus ring that shows on light and dark
# backgrounds alike (yellow inside, near-black outside). It is a box shadow because Quasar's controls remove the
# outline with an `!important` of a cascade layer, which wins over any page style; the transparent outline is what
# Windows' high-contrast mode draws instead of the shadow. Tabs and list items sit in boxes that clip what is drawn
# outside them: their ring is drawn inside. On a phone the header (four rows of links there) scrolls away with the
# page instead of covering a third of the screen.
STYLES = """
.nicegui-link { color: var(--q-primary); }
html :focus-visible {
  outline: 3px solid transparent;
  box-shadow: 0 0 0 3px #ffdd00, 0 0 0 6px #0b0c0c !important;
}
html .q-tab:focus-visible, html .q-item:focus-visible {
  box-shadow: inset 0 0 0 3px #0b0c0c, inset 0 0 0 6px #ffdd00 !important;
}
@media (max-width: 599.98px) {
  .q-layout { position: relative; }
  .q-header.fixed-top { position: absolute; }
}
.kabinet-skip { position: absolute; left: -10000px; top: auto; }
.kabinet-skip:focus { left: 1rem; top: 0.5rem; z-index: 10000; padding: 0.5rem 1rem; background: #fff; color: #0b0c0c; }
"""
# the slot's scope (`props`) is the uploader's own API: its labels, pickFiles and abort
UPLOAD_HEADER = """
<div class="q-uploader__header-content column"><div class="flex flex-center no-wrap q-gutter-xs">
  <q-spinner v-if="props.isUploading" class="q-uploader__spinner" />
  <div class="col column justify-center">
    <div class="q-uploader__title">LABEL</div>
    <div class="q-uploader__subtitle">{{ props.uploadSizeLabel }} / {{ props.uploadProgressLabel }}</div>
  </div>
  <template v-if="props.canAddFiles">
    <q-btn icon="add_box" flat dense aria-label="LABEL" @click="props.pickFiles" />
    <label style="display: none">LABEL<q-uploader-add-trigger /></label>
  </template>
  <q-btn v-if="props.isUploading" icon="clear" flat dense aria-label="CANCEL" @click="props.abort" />
</div></div>
"""

KEEP_LANGUAGE = """<script>(() => {
  const root = document.documentElement, keep = () => { if (root.lang !== LANG) root.lang = LANG; };
  keep();
  new MutationObserver(keep).observe(root, { attributes: true, attributeFilter: ['lang'] });
})();</script>"""


def apply_theme() -> None:
    """Once, when the pages are registered: the colours and styles of every page."""
    app.colors(**COLORS)
    ui.add_css(STYLES, shared=True)


def page_language(lang: str) -> None:
    """Tell browsers and screen readers the page's language: the one the reader chose, not the portal's default
    (Quasar writes its own language pack's name into `<html lang>` when it starts, so the choice is kept after it)."""
    ui.add_head_html(KEEP_LANGUAGE.replace('LANG', json.dumps(lang)))


def upload_header(upload: ui.upload, label: str) -> ui.upload:
    """Quasar's own header puts the file input inside its nameless "add" button (a control nested in a control, and
    neither named). This header has a named button, and the file input it opens is labelled and out of sight."""
    header = UPLOAD_HEADER.replace('LABEL', html.escape(label)).replace('CANCEL', html.escape(_('Cancel')))
    upload.add_slot('header', header)
    return upload
