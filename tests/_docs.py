"""Hand-built Documents for stage tests that must not depend on the reader or sections stage."""

from __future__ import annotations

from pmscore.types import Block, Document, Section


def make_doc(parts: list[tuple[str, str | None, str]], labels: bool = True,
             strip_bullets: bool = False) -> tuple[Document, tuple[Section, ...]]:
    """A document from (section label, heading or None, body) parts, one block per line.

    "- x" lines are list items; with ``labels``, "Label: body" lines (a label of at most three
    words) are label blocks; everything else is a paragraph. ``strip_bullets`` keeps a list
    item's block text without its "- ", as the reader's cleaned text would.
    """
    text, blocks, sections = "", [], []
    for label, heading, body in parts:
        sec_start, idx = len(text), []
        if heading:
            blocks.append(Block(len(blocks), "heading", len(text), len(text) + len(heading),
                                text.count("\n") + 1, 1, heading, heading=heading))
            idx.append(len(blocks) - 1)
            text += heading + "\n"
        for line in body.split("\n"):
            start = len(text)
            kind, head, body_start = "paragraph", None, None
            if line.startswith("- "):
                kind = "list_item"
            elif labels and ": " in line and len(line.split(": ")[0].split()) <= 3:
                kind, head = "label", line.split(": ")[0]
                body_start = start + len(head) + 2
            block_text = line.lstrip("- ") if strip_bullets else line
            blocks.append(Block(len(blocks), kind, start, start + len(line),
                                text.count("\n") + 1, 1, block_text, heading=head,
                                body_start=body_start))
            idx.append(len(blocks) - 1)
            text += line + "\n"
        sections.append(Section(label, sec_start, len(text), tuple(idx), heading=heading))
        text += "\n"
    clean = "".join(" " if c == "-" and (i == 0 or text[i - 1] == "\n") else c
                    for i, c in enumerate(text))
    return Document(text=text, clean=clean, blocks=tuple(blocks)), tuple(sections)
