"""The extraction check: no words in a template outside the catalog, and every msgid translated.

Each template is read with its Jinja constructs masked (same length, so positions hold), then parsed
as HTML: a text node or a user-facing attribute (placeholder, aria-label, title, alt, a button's
value) with letters in it must come from `{{ _("...") }}` / `{% trans %}`, not be typed in the page.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

from babel.messages.pofile import read_po

from shop.core import i18n

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
MASK = "\x01"
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_LETTERS = re.compile(r"[A-Za-z]{2,}")
_ATTRIBUTES = {"placeholder", "aria-label", "title", "alt"}

# Words that are the same in every language: the brand, and codes people type as they are.
ALLOWED = {"zhongcao", "EN", "z", "CSV", "SKU", "API", "Stripe", "ISO", "USD", "Express", "ID", "QR", "OK"}


_CLASS_BLOCK = re.compile(r"(\{% block (?:main|body)_class %\})(.*?)(\{% endblock %\})", re.S)
_TRANS_BLOCK = re.compile(r"\{%-? trans\b.*?\{%-? endtrans -?%\}", re.S)


def masked(source: str) -> str:
    """Jinja constructs (and the CSS classes of the body_class / main_class blocks) as MASK characters."""
    source = _CLASS_BLOCK.sub(
        lambda match: match.group(1) + MASK * len(match.group(2)) + match.group(3), source
    )
    source = _TRANS_BLOCK.sub(
        lambda match: "".join(ch if ch == "\n" else MASK for ch in match.group(0)), source
    )
    return _JINJA.sub(lambda match: "".join(ch if ch == "\n" else MASK for ch in match.group(0)), source)


class _Scanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._raw = 0  # inside <script> or <style>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "code", "pre"):  # code is typed as it is, in every language
            self._raw += 1
        named = dict(attrs)
        for name, value in attrs:
            shown = name in _ATTRIBUTES or (
                tag == "input" and name == "value" and named.get("type") == "submit"
            )
            if shown and value and _words(value):
                self.found.append((self.getpos()[0], f'{name}="{value}"'))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "code", "pre") and self._raw:
            self._raw -= 1

    def handle_data(self, data: str) -> None:
        if not self._raw and _words(data):
            self.found.append((self.getpos()[0], data.strip()))


def _words(text: str) -> bool:
    plain = text.replace(MASK, " ")
    if re.search(r'\w="', plain):  # the inside of a tag whose name is a variable (<{{ tag }} class="...">)
        return False
    return any(word not in ALLOWED for word in _LETTERS.findall(plain))


def untranslated(source: str) -> list[tuple[int, str]]:
    scanner = _Scanner()
    scanner.feed(masked(source))
    scanner.close()
    return scanner.found


_EXPRESSION = re.compile(r"\{\{(.*?)\}\}|\{%(.*?)%\}", re.S)
_LITERAL = re.compile(r"""(?<![\w.])(["'])([A-Z][a-z]+(?: [a-z]+)*[.!?]?)\1""")
# A gettext call with its msgid (and plural), dropped before looking for literals.
_CALLS = re.compile(r"""\b(?:_|gettext|ngettext)\(\s*("[^"]*"|'[^']*')(\s*,\s*("[^"]*"|'[^']*'))?""")


def literals(source: str) -> list[tuple[int, str]]:
    """Words typed as string literals in Jinja expressions ({{ "Follow" if x else "Following" }})."""
    found = []
    for match in _EXPRESSION.finditer(source):
        code = match.group(1) or match.group(2) or ""
        if code.strip().startswith(("extends", "include", "import", "from", "block", "set _")):
            continue
        for word in _LITERAL.finditer(_CALLS.sub("_(", code)):
            found.append((source[: match.start()].count("\n") + 1, word.group(2)))
    return found


def _templates() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


def test_no_template_words_outside_the_catalog() -> None:
    problems = []
    for path in _templates():
        name = str(path.relative_to(TEMPLATES))
        source = path.read_text()
        found = [(line, text.replace(MASK, "…")) for line, text in untranslated(source) + literals(source)]
        problems += [f"{name}:{line}: {text[:80]!r}" for line, text in found]
    assert not problems, "words outside {{ _() }} / {% trans %}:\n" + "\n".join(problems)


def test_the_scanner_finds_words_and_ignores_translated_ones() -> None:
    assert untranslated("<p>Sold out</p>") == [(1, "Sold out")]
    assert untranslated('<input placeholder="Search">') == [(1, 'placeholder="Search"')]
    assert untranslated("<p>{{ _('Sold out') }}</p><p>{{ n }} · zhongcao</p>") == []
    assert literals('{{ "Following" if on else "Follow" }}') == [(1, "Following"), (1, "Follow")]
    assert literals('{{ _("Following") if on else _("Follow") }}{% extends "Base.html" %}') == []
    assert untranslated("<script>const a = 'words';</script><p>{% trans %}Hi there{% endtrans %}</p>") == []


PYBABEL = [sys.executable, "-c", "from babel.messages.frontend import main; main()"]


def _extracted(tmp: Path) -> set[str]:
    """Every msgid in the code as it is now, extracted as scripts/i18n does (not the catalog's own list)."""
    pot = tmp / "messages.pot"
    keywords = [
        arg for word in ("_", "gettext", "ngettext:1,2", "N_", "counted:2,3", "t") for arg in ("-k", word)
    ]
    subprocess.run(
        [*PYBABEL, "-q", "extract", "-F", str(i18n.LOCALE_DIR / "babel.cfg"), *keywords, "-o", str(pot), "."],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as handle:
        return {_key(message.id) for message in read_po(handle) if message.id}


def _key(msgid: object) -> str:
    return str(msgid[0] if isinstance(msgid, tuple) else msgid)


def test_every_string_in_the_code_is_in_the_catalog(tmp_path: Path) -> None:
    with (i18n.LOCALE_DIR / "zh_Hans" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        translated = {_key(message.id) for message in read_po(handle, locale="zh_Hans") if message.string}
    missing = sorted(_extracted(tmp_path) - translated)
    assert not missing, f"not in the catalog (scripts/i18n extract && scripts/i18n update): {missing[:20]}"


def test_every_msgid_has_a_chinese_translation() -> None:
    po = i18n.LOCALE_DIR / "zh_Hans" / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as handle:
        catalog = read_po(handle, locale="zh_Hans")
    missing = [
        message.id
        for message in catalog
        if message.id
        and (
            not message.string
            or (isinstance(message.string, tuple) and not all(message.string))
            or message.fuzzy
        )
    ]
    assert len(catalog) > 100
    assert not missing, f"{len(missing)} msgids without a Chinese translation: {missing[:20]}"
