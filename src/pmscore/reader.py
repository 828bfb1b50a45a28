"""Stage 1: read Markdown or plain text into offset-keeping blocks.

Student postmortems arrive as anything from clean CommonMark to plain text pasted from a word
processor (CRLF or lone CR line ends, a BOM, tabs, inline HTML, ``**bold**`` lines used as
headings, one ``Label: value`` per line).  markdown-it-py finds the block structure and gives
line ranges; this module maps them back to exact character offsets in the original text and
adds what CommonMark does not know about: title-like lines, emphasis-only headings and inline
labels.  ``Document.clean`` is a same-length copy of the text with markup blanked, so any
offset found in it is valid in ``Document.text``.

``read`` never raises on a ``str``: if the Markdown parser fails for any reason the text is read
line by line instead.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token

from pmscore.features import prefilter_text
from pmscore.incident import states_incident
from pmscore.types import Block, BlockKind, Document

__all__ = ["read"]

_NEWLINE = re.compile(r"\r\n|\r|\n")
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]{0,500}?)?/?>", re.S)
_HTML_HEADING_OPEN = re.compile(r"<h([1-6])\b", re.I)
_ENTITY_NBSP = re.compile(r"&nbsp;", re.I)
# Emphasis delimiters: `*`/`**`/`***` anywhere, `_`/`__` only at word boundaries (snake_case).
_EMPH_STAR = re.compile(r"(?<![\\*])(\*{1,3})(?=[^\s*])([^\n]{1,300}?)(?<=[^\s*\\])\1(?!\*)")
_EMPH_UNDER = re.compile(r"(?<![\w\\_])(_{1,3})(?=[^\s_])([^\n]{1,300}?)(?<=[^\s_\\])\1(?![\w_])")
_STRIKE = re.compile(r"~~(?=\S)([^\n]{1,300}?)(?<=\S)~~")
_LINK_PUNCT = re.compile(r"!?\[([^\[\]\n]{0,300})\]\(([^()\s]{0,500})\)")
_ATX = re.compile(r"^( {0,3})(#{1,6})(?=\s|$)")
_ATX_CLOSE = re.compile(r"\s(#+)\s*$")
_BULLET_CHARS = "•◦▪●‣■□➢➤►✓✔"
_UNI_BULLET = re.compile(r"[ \t]*([" + _BULLET_CHARS + r"])[ \t]")  # matched at a line start
_HASH_HEADING = re.compile(r"^#{1,6}(?=[A-Za-z])")
_LIST_MARK = re.compile(r"^(\s*)([-*+•◦▪●‣–]|\d{1,9}[.)])(?=\s|$)")
_QUOTE_MARK = re.compile(r"^(\s{0,3}>\s?)+")
_SETEXT_LINE = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_FENCE_LINE = re.compile(r"^\s*(`{3,}|~{3,})")
# A bare domain is tried only where its run of [\w.-] starts (then past leading dots and
# hyphens to its first word): with ``\b`` alone, a long run ("x-x-x-...") was retried from
# every word start, O(n^2) (15,000 chars: 0.9 s). Same matches counted, same words left.
_URL = re.compile(r"(?:https?://|www\.)\S+|(?<![\w.-])[.-]*+\b[\w.-]+\.(?:com|io|org|net|dev|app)/\S*",
                  re.I)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]+")
# A timestamp opening a line: "14:30", "8:00 PM", "[10:05]", "13-01-2023 8:00", "March 3, 10:00".
_TIME_START = re.compile(
    r"^[ \t]*(?:[\[(][ \t]*)?(?:"
    r"\d{1,2}[:h.]\d{2}\b|\d{1,2}\s?[ap]\.?m\b|"
    r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}|"
    r"(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+\d|"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b|"
    r"\d{1,2}(?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)|"
    r"t\s?[+-]\s?\d|day\s+\d"
    r")",
    re.I,
)
# An inline label at the start of a block (searched in the clean text): "Root Cause: ...".
_LABEL = re.compile(r"^\s*([A-Za-z(][^:\n]{0,60}?)\s*[:：]\s*(?=\S)")
_LABEL_EMPTY = re.compile(r"^\s*([A-Za-z(][^:\n]{0,60}?)\s*[:：]\s*$")
_EMPH_LINE = re.compile(
    r"^[ \t]*(?:\*{1,3}|_{1,3}|<(?:b|strong|u|em|i)>)+[ \t]*([^*_<>\n]{1,80}?)[ \t]*"
    r"(?:\*{1,3}|_{1,3}|</(?:b|strong|u|em|i)>)+(?:[ \t]*:)?[ \t]*$",
    re.I,
)
_EMPH_PREFIX = re.compile(
    r"^[ \t]*(?:\*\*|__|<(?:b|strong)>)[ \t]*([^*_<>\n:]{1,60}?)(?:[ \t]*:)?[ \t]*"
    r"(?:\*\*|__|</(?:b|strong)>)(?:[ \t]*[:.\-–—])?[ \t]*(?=\S)",
    re.I,
)

_MAX_TITLE_WORDS = 7
_MAX_TITLE_CHARS = 60
_MAX_LABEL_WORDS = 6
_LABEL_SCAN = 200  # characters of a block searched for an inline label
# Prose words (URLs and link targets removed) below which a file with links or images is only a
# pointer to the real write-up, and below which any file is too short to be a postmortem.
_LINK_ONLY_MAX_WORDS = 55
_NEAR_EMPTY_MAX_WORDS = 25
_LINK_ONLY_MIN_WORDS = 40  # the limit for files that do have timestamped lines
_MAX_SCAN_LINES = 5000

# YAML front matter: opening rule, closing rule, and the lines allowed in between (keys, list
# items, indented continuations, comments, blank lines).
_FRONT_OPEN = re.compile(r"---[ \t]*$")
_FRONT_CLOSE = re.compile(r"(?:---|\.\.\.)[ \t]*$")
_FRONT_LINE = re.compile(r"[ \t]*$|[A-Za-z_][\w.-]{0,40}:(?:[ \t]|$)|[ \t]+\S|-[ \t]|#")
_FRONT_MAX_LINES = 200

_md: MarkdownIt | None = None


def _parser() -> MarkdownIt:
    """One shared CommonMark parser with tables; building it costs more than a parse."""
    global _md
    if _md is None:
        # Inline parsing is not needed: blocks come from line maps, inline markup is blanked
        # by the regexes below; skipping it halves the parse time.
        _md = MarkdownIt("commonmark").enable("table").disable("inline")
    return _md


@dataclass
class _Lines:
    """Line table of the original text: start offset and end offset (before the newline)."""

    starts: list[int]
    ends: list[int]

    @classmethod
    def of(cls, text: str) -> "_Lines":
        starts = [0]
        ends: list[int] = []
        for m in _NEWLINE.finditer(text):
            ends.append(m.start())
            starts.append(m.end())
        ends.append(len(text))
        return cls(starts, ends)

    def __len__(self) -> int:
        return len(self.starts)


@dataclass
class _Unit:
    """A block before it becomes a frozen ``Block``: a line range plus how it was found."""

    kind: BlockKind
    first: int  # first line (0-based)
    last: int  # last line, inclusive
    level: int = 0
    heading: str | None = None
    force_heading: bool = False


def _blank(clean: list[str], start: int, end: int) -> None:
    for i in range(max(0, start), min(end, len(clean))):
        if clean[i] not in "\n":
            clean[i] = " "


def _html_tag_spans(seg: str) -> list[tuple[int, int]]:
    """(start, end) of HTML comments and tags in ``seg``, in linear time."""
    spans: list[tuple[int, int]] = []
    pos = 0
    while "<!--" in seg:
        i = seg.find("<!--", pos)
        if i < 0:
            break
        j = seg.find("-->", i + 4)
        if j < 0:
            break
        spans.append((i, j + 3))
        pos = j + 3
    # Tags inside a comment overlap it; blanking twice is harmless.
    spans.extend((m.start(), m.end()) for m in _HTML_TAG.finditer(seg))
    return spans


def _strip_tags(raw: str) -> str:
    if "<" not in raw:
        return raw
    out = list(raw)
    for a, b in _html_tag_spans(raw):
        for k in range(a, b):
            out[k] = ""
    return "".join(out)


def _is_title_like(line: str, standalone: bool) -> bool:
    """A short line that reads as a heading ("Incident Summary", "Root Cause:", "ssue Summary")."""
    s = line.strip().strip("*_#").strip()
    if not s or len(s) > _MAX_TITLE_CHARS or "://" in s or _TIME_START.match(s):
        return False
    if s[-1] in ".,;!?" or s[0] in "([{-–\"'":
        return False
    words = s.rstrip(":").split()
    if not words or len(words) > _MAX_TITLE_WORDS:
        return False
    if not any(ch.isalpha() for ch in s):
        return False
    if s.endswith(":"):
        return True
    first = words[0]
    if standalone:
        return True
    # Inside a run of lines: require title case so a wrapped prose line is not taken for one.
    caps = sum(1 for w in words if w[:1].isupper() or not w[:1].isalpha())
    return first[:1].isupper() and caps >= max(1, (len(words) + 1) // 2)


def _label_of(clean_block: str) -> tuple[str, int] | None:
    """``(label, offset of body within clean_block)`` for ``Label: body``, else None."""
    # A label sits in the first few dozen characters; never scan a huge block for one.
    m = _LABEL.match(clean_block[:_LABEL_SCAN])
    if not m:
        return None
    label = m.group(1).strip()
    after = clean_block[m.end(1):m.end()].lstrip()
    if label[-1:].isdigit() and clean_block[m.end():m.end() + 1].isdigit() and after == ":":
        return None  # a clock time "15:00", not a label
    if clean_block[m.end():m.end() + 2] == "//" or label.lower().endswith(("http", "https")):
        return None  # a URL, not a label
    if label.count("(") != label.count(")"):
        return None  # "Patch X (Owner: ...)" is a task with a parenthesis, not a label
    words = label.split()
    if not words or len(words) > _MAX_LABEL_WORDS or "//" in label or _TIME_START.match(label):
        return None
    if not any(c.isalpha() for c in label):
        return None
    return label, m.end()


# Characters that are always blank in ``Document.clean`` (control characters, BOM, NBSP).
_BLANK_CHARS = str.maketrans({c: " " for c in "\r\t\x00\x0b\x0c\ufeff\u00a0"})


def read(text: str, path: str | None = None) -> Document:
    """Read ``text`` into a ``Document`` with blocks, offsets and a same-length clean copy."""
    if not isinstance(text, str):  # defensive: callers should pass str
        text = str(text)
    lines = _Lines.of(text)
    # one C-level pass instead of a Python loop over every character
    clean = list(text.translate(_BLANK_CHARS))
    fm = _front_matter_lines(text, lines)
    try:
        units = _markdown_units(text, lines, clean, base=fm)
    except Exception:  # noqa: BLE001 - the reader must never fail on any str
        units = None
    if units is None:
        clean = [" " if ch in "\r\t\x00\x0b\x0c\ufeff\u00a0" else ch for ch in text]
        last = len(lines) - 1
        units = _plain_units(text, lines, fm, last, "paragraph") if fm <= last else []
    body = lines.starts[fm] if fm < len(lines) else len(text)
    _blank(clean, 0, body)  # front matter is metadata (ids, URLs, tags), never prose
    _blank_html_and_inline(text, clean, lines, units)
    clean_s = "".join(clean)
    blocks = _finish(text, clean_s, lines, units)
    return Document(
        text=text,
        clean=clean_s,
        blocks=tuple(blocks),
        path=path,
        not_postmortem_reason=_not_postmortem_reason(text[body:], clean_s[body:]),
    )


def _front_matter_lines(text: str, lines: _Lines) -> int:
    """Lines of a YAML front matter block at the very start (``---``, ``key: value`` lines,
    ``---`` or ``...``), as static-site and knowledge-base exports carry: 0 when there is none.

    Markdown would read its keys as labelled paragraphs and its closing rule as a setext
    underline; its ``url:`` would make a short write-up look like a pointer to another page.
    """
    if not text.startswith("---") or _FRONT_OPEN.match(text, 0, lines.ends[0]) is None:
        return 0
    for i in range(1, min(len(lines), _FRONT_MAX_LINES)):
        line = text[lines.starts[i]:lines.ends[i]]
        if _FRONT_CLOSE.match(line):
            return i + 1 if i > 1 else 0
        if not _FRONT_LINE.match(line):
            return 0
    return 0


def _markdown_units(text: str, lines: _Lines, clean: list[str], base: int = 0,
                    stop: int | None = None, depth: int = 0) -> list[_Unit] | None:
    """Units from markdown-it tokens; also blanks block-level markup in ``clean``.

    Parses lines ``base`` .. ``stop`` (exclusive); a fenced block that itself holds a Markdown
    document (a chat assistant's answer pasted in a fence) is parsed again, once.
    """
    stop = len(lines) if stop is None else stop
    src_lines = [text[s:e] for s, e in zip(lines.starts, lines.ends)]  # indexed by line number
    tokens = _parser().parse("\n".join(src_lines[base:stop]))
    if base:
        for t in tokens:
            if t.map:
                t.map = [t.map[0] + base, t.map[1] + base]
    units: list[_Unit] = []
    stack: list[Token] = []
    item_first_child: list[bool] = []
    n = len(lines)
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        mp = tok.map
        if tok.nesting == 1 and tok.type not in ("paragraph_open", "heading_open"):
            stack.append(tok)
            if tok.type == "list_item_open":
                item_first_child.append(True)
                if mp:
                    line = mp[0]
                    m = _LIST_MARK.match(src_lines[line]) if line < n else None
                    if m:
                        _blank(clean, lines.starts[line] + m.start(2), lines.starts[line] + m.end(2))
            elif tok.type == "blockquote_open" and mp:
                for line in range(mp[0], min(mp[1], n)):
                    m = _QUOTE_MARK.match(src_lines[line])
                    if m:
                        _blank(clean, lines.starts[line], lines.starts[line] + m.end())
            elif tok.type == "table_open" and mp:
                for line in range(mp[0], min(mp[1], n)):
                    s, e = lines.starts[line], lines.ends[line]
                    for j in range(s, e):
                        if text[j] == "|":
                            clean[j] = " "
                    if re.fullmatch(r"[\s|:\-]*", src_lines[line]):
                        _blank(clean, s, e)
            elif tok.type == "tr_open" and mp:
                units.append(_Unit("table_row", mp[0], min(mp[1], n) - 1))
            i += 1
            continue
        if tok.nesting == -1 and tok.type not in ("paragraph_close", "heading_close"):
            if stack:
                popped = stack.pop()
                if popped.type == "list_item_open" and item_first_child:
                    item_first_child.pop()
            i += 1
            continue
        in_item = bool(stack) and stack[-1].type == "list_item_open"
        first_in_item = in_item and item_first_child and item_first_child[-1]
        if in_item and tok.type in ("paragraph_open", "heading_open", "code_block", "fence",
                                     "html_block") and item_first_child:
            item_first_child[-1] = False
        item_line = stack[-1].map[0] if first_in_item and stack[-1].map else None
        if tok.type == "heading_open" and mp:
            first, last = mp[0], min(mp[1], n) - 1
            if tok.markup.startswith("#"):
                m = _ATX.match(src_lines[first])
                if m:
                    _blank(clean, lines.starts[first] + m.start(2), lines.starts[first] + m.end(2))
                mc = _ATX_CLOSE.search(src_lines[first])
                if mc:
                    _blank(clean, lines.starts[first] + mc.start(1), lines.starts[first] + mc.end(1))
            else:  # setext: blank the underline
                if last > first and _SETEXT_LINE.match(src_lines[last]):
                    _blank(clean, lines.starts[last], lines.ends[last])
                    last -= 1
            if item_line is not None:
                first = item_line
            units.append(_Unit("heading", first, last, level=int(tok.tag[1:] or 1),
                               force_heading=True))
            i += 3
            continue
        if tok.type == "paragraph_open" and mp:
            first, last = mp[0], min(mp[1], n) - 1
            if item_line is not None:
                first = item_line
            kind: BlockKind = "list_item" if first_in_item else "paragraph"
            units.extend(_plain_units(text, lines, first, last, kind))
            i += 3
            continue
        if tok.type in ("fence", "code_block") and mp:
            first, last = mp[0], min(mp[1], n) - 1
            if item_line is not None:
                first = item_line
            if tok.type == "fence":
                for line in (mp[0], last):
                    if line < n and _FENCE_LINE.match(src_lines[line]):
                        _blank(clean, lines.starts[line], lines.ends[line])
                # An unclosed fence runs to the end of the document: its last line is content.
                closed = last > mp[0] and last < n and bool(_FENCE_LINE.match(src_lines[last]))
                stop = last if closed else last + 1
                if depth == 0 and _fence_is_markdown(tok) and stop - mp[0] >= 2:
                    inner = _markdown_units(text, lines, clean, mp[0] + 1, stop, depth + 1)
                    units.extend(inner or [])
                else:
                    units.append(_Unit("code", first, last))
            else:
                # Indented "code" in a student submission is almost always indented prose.
                kind = "list_item" if first_in_item else "paragraph"
                units.extend(_plain_units(text, lines, first, last, kind))
            i += 1
            continue
        if tok.type == "html_block" and mp:
            units.extend(_html_units(text, lines, mp[0], min(mp[1], n) - 1))
            i += 1
            continue
        i += 1
    return units


def _fence_is_markdown(tok: Token) -> bool:
    """A fence whose body is a Markdown document with headings, not code or a log."""
    info = (tok.info or "").strip().lower()
    if info not in ("", "markdown", "md", "text", "txt"):
        return False
    body = tok.content
    heads = len(re.findall(r"^\s{0,3}(?:#{1,6}\s|\*\*[^*\n]{2,60}\*\*\s*:?\s*$)", body, re.M))
    if heads >= 2:
        return True
    if info not in ("", "text", "txt"):
        return False
    # An unlabelled fence around a whole plain-text write-up: mostly lines of words, little code.
    rows = [r for r in body.splitlines() if r.strip()]
    if len(rows) < 3:
        return False
    wordy = sum(1 for r in rows if len(_WORD.findall(r)) >= 4)
    codey = sum(1 for r in rows if re.search(r"[{};]\s*$|^\s*[$#>]\s|=\s*\S+\s*$|\(\)", r))
    return wordy >= 0.6 * len(rows) and codey <= 0.1 * len(rows)


def _html_units(text: str, lines: _Lines, first: int, last: int) -> list[_Unit]:
    """HTML blocks: ``<hN>`` lines become headings, other text lines plain units."""
    out: list[_Unit] = []
    run_start: int | None = None
    for line in range(first, last + 1):
        raw = text[lines.starts[line]:lines.ends[line]]
        m = _HTML_HEADING_OPEN.search(raw)
        if m:
            if run_start is not None:
                out.extend(_plain_units(text, lines, run_start, line - 1, "html"))
                run_start = None
            out.append(_Unit("heading", line, line, level=int(m.group(1)), force_heading=True))
        elif run_start is None:
            run_start = line
    if run_start is not None:
        out.extend(_plain_units(text, lines, run_start, last, "html"))
    return out


def _is_emphasised_sentence(inner: str) -> bool:
    """A bold or italic line that is a sentence ("**We are sorry for the trouble this caused
    to our users.**"): longer than a title and ended by a full stop or an exclamation mark.
    Writers bold such lines for stress; read as a heading it would open a bogus section. A
    bold question stays a heading: that is how FAQs and Q&A-style write-ups head their parts."""
    inner = inner.strip()
    return inner[-1:] in (".", "!") and len(inner.split()) > _MAX_TITLE_WORDS


def _line_kind(raw: str) -> str:
    """Role of one physical line inside a paragraph: emph, title, label, time, bullet, text."""
    stripped = _strip_tags(raw).strip()
    if not stripped:
        return "blank"
    em = _EMPH_LINE.match(raw.strip()) if len(stripped) <= 90 else None
    if em is not None and not _is_emphasised_sentence(em.group(1)):
        return "emph"
    if _HASH_HEADING.match(stripped) and len(stripped) <= 90:
        return "emph"  # "##Issue Summary": an ATX heading without the space CommonMark wants
    if _TIME_START.match(stripped.lstrip("*_-•–")):
        return "time"
    if _LIST_MARK.match(stripped):
        return "bullet"
    plain = stripped.replace("**", "").replace("__", "")
    if len(plain) <= 80 and _LABEL_EMPTY.match(plain) and \
            len(plain.split()) <= _MAX_LABEL_WORDS + 1:
        return "title"
    if _label_of(plain) is not None:
        return "label"
    if _is_title_like(plain, standalone=False):
        return "title"
    return "text"


def _plain_units(text: str, lines: _Lines, first: int, last: int, kind: BlockKind) -> list[_Unit]:
    """Split a multi-line paragraph where its lines are separate things.

    CommonMark joins consecutive lines into one paragraph, but plain-text submissions put a
    heading, ``Label: value`` pairs or timestamped entries on consecutive lines; each of those
    lines starts its own unit, while wrapped prose lines stay together.
    """
    if last < first:
        return []
    if last == first:
        raw = text[lines.starts[first]:lines.ends[first]]
        lk = _line_kind(raw)
        if lk == "blank":
            return []
        return [_Unit(kind, first, first, force_heading=lk == "emph")]
    kinds = []
    for line in range(first, last + 1):
        kinds.append(_line_kind(text[lines.starts[line]:lines.ends[line]]))
    out: list[_Unit] = []
    cur: _Unit | None = None
    prev_kind = ""
    for off, lk in enumerate(kinds):
        line = first + off
        if lk == "blank":
            cur = None
            prev_kind = lk
            continue
        unit_kind: BlockKind = kind if (cur is None and not out) else (
            "html" if kind == "html" else "paragraph")
        if kind == "list_item" and not out and cur is None:
            unit_kind = "list_item"
        # A title line only counts as one after a line that ends a sentence or another start.
        starts_new = cur is None or lk in ("emph", "label", "time", "bullet") or (
            lk == "title" and (prev_kind in ("emph", "title", "label", "time", "bullet")
                               or _ends_sentence(text, lines, line - 1)))
        if prev_kind in ("emph", "title"):
            starts_new = True  # the line after a heading starts the body
        if starts_new:
            cur = _Unit(unit_kind, line, line, force_heading=lk == "emph")
            out.append(cur)
        else:
            assert cur is not None
            cur.last = line
        prev_kind = lk
    return out


def _ends_sentence(text: str, lines: _Lines, line: int) -> bool:
    s = text[lines.starts[line]:lines.ends[line]].rstrip()
    return not s or s[-1] in ".!?:;)"


def _blank_html_and_inline(text: str, clean: list[str], lines: _Lines, units: list[_Unit]) -> None:
    """Blank HTML tags, emphasis markers, link brackets and backticks outside code blocks."""
    for u in units:
        if u.kind == "code":
            continue
        s, e = lines.starts[u.first], lines.ends[u.last]
        seg = text[s:e]
        if "<" in seg:
            for a, b in _html_tag_spans(seg):
                _blank(clean, s + a, s + b)
        if "&" in seg:
            for m in _ENTITY_NBSP.finditer(seg):
                _blank(clean, s + m.start(), s + m.end())
        if "*" in seg:
            for m in _EMPH_STAR.finditer(seg):
                d = len(m.group(1))
                _blank(clean, s + m.start(), s + m.start() + d)
                _blank(clean, s + m.end() - d, s + m.end())
        if "_" in seg:
            for m in _EMPH_UNDER.finditer(seg):
                d = len(m.group(1))
                _blank(clean, s + m.start(), s + m.start() + d)
                _blank(clean, s + m.end() - d, s + m.end())
        if "~~" in seg:
            for m in _STRIKE.finditer(seg):
                _blank(clean, s + m.start(), s + m.start() + 2)
                _blank(clean, s + m.end() - 2, s + m.end())
        if "](" in seg:
            for m in _LINK_PUNCT.finditer(seg):
                _blank(clean, s + m.start(), s + m.start(1))
                _blank(clean, s + m.end(1), s + m.end(1) + 2)
                _blank(clean, s + m.end() - 1, s + m.end())
        if "`" in seg:
            for j in range(s, e):
                if text[j] == "`":
                    clean[j] = " "
        if any(ch in seg for ch in _BULLET_CHARS):
            # "• item" lines pasted from a word processor: the bullet is markup too.
            for line in range(u.first, u.last + 1):
                ls = lines.starts[line]
                m = _UNI_BULLET.match(text, ls, lines.ends[line])
                if m:
                    _blank(clean, m.start(1), m.end(1))
        if u.kind == "heading" or u.force_heading:
            # Stray heading marks left in emphasis-only headings ("**Timeline:**" with odd marks).
            for j in range(s, e):
                if text[j] in "*_#":
                    clean[j] = " "


def _finish(text: str, clean: str, lines: _Lines, units: list[_Unit]) -> list[Block]:
    """Trim units to their non-blank clean extent and decide heading / label kinds."""
    blocks: list[Block] = []
    for u in units:
        s, e = lines.starts[u.first], lines.ends[u.last]
        while s < e and clean[s].isspace():
            s += 1
        while e > s and clean[e - 1].isspace():
            e -= 1
        if e <= s:
            continue
        seg = clean[s:e]
        collapsed = " ".join(seg.split())
        kind: BlockKind = u.kind
        heading: str | None = None
        body_start: int | None = None
        level = u.level
        if kind == "heading" or u.force_heading:
            kind = "heading"
            heading = collapsed.rstrip(":").strip() or collapsed
            level = level or 3
        elif kind in ("paragraph", "list_item", "html"):
            raw_first = text[s:lines.ends[u.first]]
            one_line = u.first == u.last
            em = _EMPH_PREFIX.match(raw_first[:_LABEL_SCAN])
            lab = _label_of(seg)
            if one_line and len(seg) <= 80 and _LABEL_EMPTY.match(seg) and _label_of(seg) is None and len(
                    collapsed.split()) <= _MAX_LABEL_WORDS + 1 and kind != "list_item":
                kind, heading, level = "heading", collapsed.rstrip(":： ").strip(), 4
            elif lab is not None:
                kind, heading = "label", lab[0]
                body_start = s + lab[1]
            elif em is not None and len(em.group(1).split()) <= _MAX_LABEL_WORDS:
                kind, heading = "label", " ".join(em.group(1).split())
                body_start = s + em.end()
            elif one_line and kind != "list_item" and _is_title_like(seg, standalone=True):
                kind, heading, level = "heading", collapsed.rstrip(":： ").strip(), 4
        li = bisect_right(lines.starts, s, u.first, u.last + 1) - 1
        line = li + 1
        col = s - lines.starts[li] + 1
        blocks.append(Block(index=len(blocks), kind=kind, start=s, end=e, line=line, col=col,
                            text=collapsed, heading=heading, body_start=body_start,
                            level=level))
    return blocks


# Literals every match holds: _LINK_PUNCT "](" ; _URL (case-insensitive, so looked up in the
# lower-cased text with the look-alikes re.IGNORECASE equates folded) "://" or "www." or a dot,
# its top-level domain and a slash.
_URL_LITERALS = ("://", "www.", ".com/", ".io/", ".org/", ".net/", ".dev/", ".app/")


def _prose_without_links(clean: str) -> str:
    """``clean`` with Markdown links/images and URLs replaced by a space (each).

    Both scans try their alternatives at every position; most documents hold none of the
    literals every match needs, and then the substitutions would change nothing.
    """
    if "](" in clean:
        clean = _LINK_PUNCT.sub(" ", clean)
    if any(map(prefilter_text(clean).__contains__, _URL_LITERALS)):
        clean = _URL.sub(" ", clean)
    return clean


def _not_postmortem_reason(text: str, clean: str) -> str | None:
    """Why the text cannot be a postmortem: empty, or only links / images with no prose.

    A short text that states an incident (:func:`pmscore.incident.states_incident`) is a terse
    postmortem, not a pointer or a placeholder."""
    if not clean.strip():
        return "empty"
    prose = _prose_without_links(clean)
    words = _WORD.findall(prose)
    # A terse but real write-up has timestamped lines; a pointer file does not. (The line
    # scan and the link counts can only change the verdict below the larger word limit.)
    limit = _LINK_ONLY_MAX_WORDS
    if _LINK_ONLY_MIN_WORDS <= len(words) < _LINK_ONLY_MAX_WORDS and any(
            _TIME_START.match(line) for line in clean.splitlines()[:_MAX_SCAN_LINES]):
        limit = _LINK_ONLY_MIN_WORDS
    if len(words) < limit and states_incident(prose):
        return None  # a terse incident summary, not a pointer or a placeholder
    if len(words) < limit:
        n_links = len(_URL.findall(text))
        n_images = len(re.findall(r"!\[[^\]]*\]\(|<img\b", text, re.I))
        if n_images and n_images >= n_links:
            return "image-only"
        if n_links:
            return "link-only"
    if len(words) < _NEAR_EMPTY_MAX_WORDS:
        return "near-empty"
    return None
