"""Stage 6: extract corrective / preventive tasks and judge whether each is actionable.

Why rules first: the annotation guide defines "actionable" by visible evidence (a concrete
action verb on a specific object, no aspiration, no open-ended goal), so a lexicon-based score
can say *why* a task is weak ("goal without a deliverable: 'Improve'"). The issue-3 classifier
can reuse the same evidence through ``pmscore.actionfeatures.action_features``.

Items are taken from ``corrective_actions`` sections and from any section whose heading reads
like a task list ("Action Items", "TODO", "Tasks", "Short-term Actions:"), in document order,
verbatim with offsets; headings and intro sentences ("we will implement the following
measures:") are not items.
"""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import replace
from functools import lru_cache
from typing import Sequence

from pmscore.features import (Cue, find_deadline, find_non_actionable, find_owner,
                              find_specifics, has_threshold, leading_verb, has_action_verb,
                              object_cues, task_body_start, task_pattern, word_count)
from pmscore.resources import read_json, read_lines
from pmscore.types import ActionItem, Block, Document, Entity, Section

__all__ = ["extract", "judge", "candidate_spans"]

# Item boundaries inside a paragraph: sentence ends, and line breaks before a capitalised line
# or a bullet (a list typed without Markdown).
# Symbols typed as bullets ("✔️ Add tests", "➤ Rotate keys"), with an optional emoji variation
# selector: layout, like "-" or "1.", so they open a line's item and are not part of its text.
_SYM = "[✔✓✅☑➤►▶→◦▪●○■□✗✘❌🔹🔸🔷👉📌⚡⭐]\ufe0f?"
_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[`A-Z0-9])|\n(?=\s*(?:[-*+•—–]|\d+[.)]|[A-Z(@]|"
                    + _SYM + "))")
# Remarks after a list item's task: its later sentences and a link on a line of its own.
_REMARK_SPLIT = re.compile(_SPLIT.pattern + r"|\n(?=\s*(?:https?://|www\.))")
# A code line that is a command, not a sentence: code syntax, a flag, or a few bare words.
_COMMAND = re.compile(r"[{}$;=|<>]|\s-{1,2}[A-Za-z]|^\s*[a-z][\w.-]*(?:\s+[a-z][\w.-]*){0,3}\s*$")
_SYM_LEAD = re.compile(r"\s*" + _SYM + r"\s")
# In HTML and code blocks every line is its own unit.
_LINES = re.compile(r"\n")
# ``(?<!\d)``: a number only starts at its first digit. Without it, ``sub``/``search`` on a
# long digit run retried ``\d+`` from every digit, O(n^2) (15,000 digits in a task took 2.4 s);
# a match can never start inside a number anyway (the number's first digit matches first).
_BULLET = re.compile(r"\s*(?:(?:[-*+•—–]|(?<!\d)\d+[.)]|\[[ xX]\]|" + _SYM + r")\s+)+")


def _weights() -> dict[str, float]:
    """Score weights of the actionability rule (data: specific_cues.json ``action_weights``).

    A fresh dict per call, built once (it was rebuilt for every action item)."""
    return dict(_weights_once())


@lru_cache(maxsize=1)
def _weights_once() -> dict[str, float]:
    defaults = {"verb_first": 1.0, "verb_any": 0.5, "object": 1.0, "object_cap": 2.0,
                "specific": 1.0, "specific_cap": 2.0, "threshold": 1.0, "attitude": -3.0,
                "goal": -2.0, "periodic": -2.0, "catchall": -1.5, "hedge": -1.0, "lead": -2.0,
                "penalty_cap": -4.5,
                "short": -1.0, "threshold_score": 1.5,
                "component_class": 0.5, "done": -1.5, "review_task": -2.0,
                "process_goal": -2.0, "future_attitude": -3.0, "named": 1.0,
                "manner": -2.0, "coverage_goal": -2.0}
    data = read_json("lexicons", "specific_cues.json").get("action_weights", {})
    defaults.update({k: float(v) for k, v in data.items() if not k.startswith("_")})
    return defaults


@lru_cache(maxsize=1)
def _rules() -> dict[str, re.Pattern[str]]:
    """Compiled ``action_rules`` of specific_cues.json (done, review_task, process_goal...)."""
    data = read_json("lexicons", "specific_cues.json").get("action_rules", {})
    return {k: re.compile(v, re.IGNORECASE if k != "named" else 0)
            for k, v in data.items() if not k.startswith("_") and isinstance(v, str)}


@lru_cache(maxsize=1)
def _named_stop() -> frozenset[str]:
    data = read_json("lexicons", "specific_cues.json").get("action_rules", {})
    return frozenset(data.get("named_stop", ()))


@lru_cache(maxsize=1)
def _extra_objects() -> re.Pattern[str]:
    """Deliverable nouns for the rule only: ``task_objects`` and the plural of lexicon objects.

    Why here and not in action_verbs.txt: ``features.object_cues`` feeds the trained models,
    whose features must not move under them.
    """
    data = read_json("lexicons", "specific_cues.json").get("action_rules", {})
    words = list(data.get("task_objects", []))
    words += [line.split(":", 1)[1].strip() for line in read_lines("lexicons", "action_verbs.txt")
              if line.startswith("object:")]
    alts = sorted({w.lower() for w in words if w.strip()}, key=len, reverse=True)
    body = "|".join(re.escape(w) for w in alts)
    return re.compile(r"(?<![\w-])(?:" + body + r")(?:e?s)?(?![\w-])", re.IGNORECASE)


def _objects(text: str) -> list[Cue]:
    """Lexicon objects plus :func:`_extra_objects` matches not overlapping them."""
    base = object_cues(text)
    extra = [Cue("object", m.group(0), m.start(), m.end())
             for m in _extra_objects().finditer(text)
             if not any(b.start < m.end() and m.start() < b.end for b in base)]
    return sorted(base + extra, key=lambda c: c.start)


def _rule(name: str, text: str, pos: int = 0) -> re.Match[str] | None:
    rx = _rules().get(name)
    return rx.search(text, pos) if rx else None


def _rescued(text: str, cue: Cue, concrete: Sequence[Cue]) -> bool:
    """Whether a goal / catch-all cue is made concrete by what follows it.

    The guide: "enhance monitoring" is not actionable, but a check that names its metric is
    ("enhance monitoring to include load balancer health checks"). So a goal or catch-all
    counts for nothing when a rescue phrase ("to include", "to detect", "such as", "in log
    file sizes") comes after it and a concrete object (deliverable noun, named component or
    component class) comes after that phrase.
    """
    if cue.kind == "goal" and any(0 <= cue.start - c.end <= 1 for c in concrete
                                  if c.kind == "object"):
        return True  # "auto-scaling mechanisms": the goal noun only names the deliverable's kind
    if cue.kind != "hedge" and _rule("rescue_metric", text, cue.start):
        return True  # an intensifier ("more robust monitoring of X usage") stays one
    m = _rule("rescue", text, cue.start)
    if not m:
        return False
    return any(c.start >= m.start() and not (c.start < cue.end and cue.start < c.end)
               for c in concrete)


def _named(text: str, taken: Sequence[Cue]) -> list[str]:
    """Products written in capitals or CamelCase ("AMI", "ApacheBench") not counted already."""
    rx = _rules().get("named")
    if rx is None:
        return []
    body = task_body_start(text)
    out = []
    for m in rx.finditer(text):
        shouted = text[max(0, m.start() - 30):m.end() + 30].isupper()
        if m.start() <= body or m.group(0) in _named_stop() or shouted:
            continue  # the opening word, a team/acronym, or a line in capitals
        if any(c.start <= m.start() < c.end for c in taken):
            continue
        out.append(m.group(0))
    return out


def _label_end(text: str) -> int:
    """End of a short leading "Label:" (0 when there is none or nothing follows it)."""
    head, sep, rest = text.partition(":")
    if sep and len(head.split()) <= 6 and rest.strip():
        return len(head) + 1
    return 0


_PURPOSE = re.compile(r"\s(?:in\s+order\s+to|so\s+as\s+to|so\s+that|to)\s+(?!include\b)[a-z]+",
                      re.IGNORECASE)


def _purpose_start(text: str, body: int, verb: str | None, concrete: Sequence[Cue]
                   ) -> int | None:
    """Start of a purpose clause ("... to verify ...") that follows the task's verb and a
    concrete object, or None.

    Why: the guide judges the deliverable; "Implement a smoke test to verify the stability"
    delivers a smoke test, and "stability" only says why. A catch-all there still counts
    (the guide's "tests to detect any glitches")."""
    if not verb:
        return None
    m = _PURPOSE.search(text, body + len(verb))
    if m and any(body < c.start < m.start() for c in concrete):
        return m.start()
    return None


def judge(text: str, services: Sequence[str] = ()) -> tuple[bool, float, str]:
    """(actionable, confidence, reason) for one task text.

    Score = verb + object + named cues + threshold - attitude/goal/periodic/catch-all phrases;
    actionable when it reaches ``threshold_score``. The guide's hard cases add (``action_rules``
    of specific_cues.json): a review or audit as the task, an intensifier on a process, a
    property promised for ever and a vague measure already taken count against; a goal or
    catch-all followed by a named check ("to include <check>") is not held against the task;
    a product in capitals ("ECR") names something like a lexicon component. Confidence grows with the distance from
    the threshold (logistic), so borderline items show low confidence.
    """
    w = _weights()
    verb = leading_verb(text)
    objs = [c for c in _objects(text) if not verb or c.text.lower() != verb.lower()]
    cues = [c for c in find_specifics(text, services) if c.kind != "quoted"]
    spec = [c for c in cues if c.kind != "component_class"]
    # a kind of component ("the database server") is an object, weaker than a named one
    classes = [c for c in cues if c.kind == "component_class"]
    body = task_body_start(text)
    label_end = _label_end(text)
    na = [c for c in find_non_actionable(text)
          # a "Enhance Monitoring:" label over a concrete body is judged on the body
          if c.start >= label_end
          # "lead" phrases ("Ensure ...", "Always ...") only count when they open the task
          and (c.kind != "lead" or c.start <= body)]
    own = find_owner(text)
    if own is not None:
        # "(owner: reliability team)" names who, not what: its words are not goals
        na = [c for c in na if not own.start <= c.start < own.end]
    concrete = objs + cues
    na = [c for c in na if c.kind not in ("goal", "catchall", "hedge")
          or not _rescued(text, c, concrete)]
    purpose = _purpose_start(text, body, verb, concrete)
    if purpose is not None:
        # "Implement a validation step to verify the stability ...": the deliverable comes
        # first; a goal word in the purpose clause after it says why, not what
        na = [c for c in na if c.kind != "goal" or c.start < purpose]
    rule_text = text[max(body, label_end):]
    detail = [c for c in cues if c.kind not in ("component_class", "mechanism_class")]
    if (m := _rule("done", rule_text) or _rule("done_lead", text[body:])) and not (
            detail or objs or has_threshold(text)):
        # a measure already taken is still an item (the guide: "preventive measures"); it
        # counts against only when nothing in it can be checked (jokey or vague "done" lines)
        na.append(Cue("done", m.group(0), 0, 0))
    if (m := _rule("review_task", text[body:])) and not _rule("review_exempt", text):
        na.append(Cue("review_task", m.group(0), 0, 0))
    if m := _rule("process_goal", rule_text):
        na.append(Cue("process_goal", m.group(0), 0, 0))
    if m := _rule("future_attitude", text):
        na.append(Cue("future_attitude", m.group(0), 0, 0))
    if m := _rule("manner", rule_text):
        na.append(Cue("manner", m.group(0), 0, 0))
    if (m := _rule("coverage_goal", rule_text)) and not re.search(r"\d", text):
        na.append(Cue("coverage_goal", m.group(0), 0, 0))
    named = _named(text, concrete)
    score = 0.0
    parts: list[str] = []
    if verb:
        score += w["verb_first"]
        parts.append(f"verb '{verb}'")
    elif has_action_verb(text):
        score += w["verb_any"]
    if objs:
        score += min(w["object_cap"], w["object"] * len(objs))
        parts.append("object " + ", ".join(dict.fromkeys(c.text for c in objs)))
    if spec:
        score += min(w["specific_cap"], w["specific"] * len(spec))
        parts.append("names " + ", ".join(dict.fromkeys(c.text for c in spec)))
    if named and not spec:
        score += w["named"]
        parts.append("names " + ", ".join(dict.fromkeys(named)))
    if classes:
        score += w["component_class"]
        parts.append("object " + ", ".join(dict.fromkeys(c.text for c in classes)))
    if has_threshold(text):
        score += w["threshold"]
        parts.append("a threshold")
    penalty = 0.0
    blockers: list[Cue] = []
    for kind in ("done", "future_attitude", "attitude", "review_task", "lead", "goal",
                 "process_goal", "coverage_goal", "manner", "periodic", "catchall", "hedge"):
        hits = [c for c in na if c.kind == kind]
        if hits:
            penalty += w[kind]
            blockers.extend(hits)
    score += max(w["penalty_cap"], penalty)
    if word_count(text) < 3:
        score += w["short"]
    ok = score >= w["threshold_score"]
    conf = 1.0 / (1.0 + math.exp(-abs(score - w["threshold_score"]) * 1.5))
    if ok:
        reason = "actionable: " + "; ".join(parts)
    elif blockers:
        kinds = {"done": "already done, not a task for the future",
                 "future_attitude": "an attitude, nothing to deliver",
                 "review_task": "a review or audit as the task",
                 "process_goal": "a better process, no deliverable",
                 "coverage_goal": "more coverage without a target",
                 "manner": "a manner adverb instead of a specification",
                 "attitude": "an attitude, nothing to deliver",
                 "lead": "a wish, not a task",
                 "hedge": "an intensifier instead of a specification",
                 "goal": "a goal without a deliverable",
                 "periodic": "an open-ended regular activity",
                 "catchall": "a catch-all object"}
        first = blockers[0]
        reason = f"not actionable: {kinds[first.kind]} ('{first.text}')"
    elif not verb and not objs:
        reason = "not actionable: no action verb and no concrete object"
    else:
        reason = "not actionable: no specific object (component, check, metric, file)"
    return ok, round(conf, 3), reason


def _is_task_section(sec: Section) -> bool:
    if sec.label == "corrective_actions":
        return True
    rx = task_pattern("task_list_heading")
    return bool(sec.label == "other" and sec.heading and rx and rx.search(sec.heading)
                and not re.search(r"\blessons?\b|\bwent\s+(?:well|wrong)\b", sec.heading, re.I))


def _trim(doc: Document, s: int, e: int) -> tuple[int, int]:
    while s < e and not doc.clean[s].strip():
        s += 1
    while e > s and not doc.clean[e - 1].strip():
        e -= 1
    return s, e


def _pieces(doc: Document, s: int, e: int, splitter: re.Pattern[str] = _SPLIT
            ) -> list[tuple[int, int]]:
    """Sentence / line pieces of a paragraph span (absolute offsets)."""
    out: list[tuple[int, int]] = []
    pos = s
    for m in splitter.finditer(doc.clean, s, e):
        out.append(_trim(doc, pos, m.start()))
        pos = m.end()
    out.append(_trim(doc, pos, e))
    return [(a, b) for a, b in out if b > a]


def _is_intro(text: str) -> bool:
    """An intro ("...the following measures:"), a closing remark or reflection, a signature or
    code line: text of a task section that is not a task."""
    text = text.strip()
    for name in ("intro_sentence", "not_task", "reflection"):
        rx = task_pattern(name)
        if rx and rx.search(text):
            return True
    return False


def _task_like(text: str) -> bool:
    """Prose outside a list counts only if it reads like a task (a verb, a deliverable, a modal,
    or an imperative opening of ``task_verbs``: "Optimize database queries regularly")."""
    return bool(has_action_verb(text) or object_cues(text) or re.search(
        r"\b(?:will|should|must|need\s+to|plan\s+to|going\s+to)\b", text, re.I)
        or _task_verb_open().match(text, task_body_start(text)))


@lru_cache(maxsize=1)
def _task_verb_open() -> re.Pattern[str]:
    """An imperative opening with a ``task_verbs`` verb (optionally after an -ly adverb)."""
    words = read_json("lexicons", "specific_cues.json").get("action_rules", {}).get(
        "task_verbs", [])
    alts = "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True)) or "(?!)"
    return re.compile(r"(?:[a-z]+ly\s+)?(?:" + alts + r")\b", re.IGNORECASE)


def _task_sections(sections: Sequence[Section]) -> list[Section]:
    """Task sections, plus label-opened sections right after them.

    Why: a "Enhance Monitoring: ..." line inside a task list can be read as a new section by
    the section classifier; until a real heading comes, it still belongs to the list.
    """
    out: list[Section] = []
    in_tasks = False
    last = -2
    for sec in sections:
        first = sec.block_indices[0] if sec.block_indices else -1
        if _is_task_section(sec):
            in_tasks = True
            out.append(sec)
        elif in_tasks and sec.source == "label" and first == last + 1:
            out.append(sec)  # contiguous: nothing (no heading) came in between
        else:
            in_tasks = False
        last = sec.block_indices[-1] if sec.block_indices else last
    return out


def _cut_remarks(doc: Document, s: int, e: int) -> int:
    """End of a list item without the remarks that follow its task.

    Why: an item's later sentences or lines are sometimes a comment on the task ("Let's stay
    awake for future challenges.", "Thanks for your patience!", a link on its own line), and
    the guide's item is the task. Such a sentence (``item_remark`` or a closing remark of
    ``not_task``) is cut with all after it, unless it opens with an action verb. Other later
    sentences stay: they usually detail the task, and the guide copies items verbatim.
    """
    pieces = _pieces(doc, s, e, _REMARK_SPLIT)
    end = pieces[0][1] if pieces else e
    rx = task_pattern("item_remark")
    for a, b in pieces[1:]:
        t = doc.clean[a:b]
        if leading_verb(t) is None and (_is_intro(t) or (rx is not None and rx.match(t))):
            return end
        end = b
    return e


_BOLD_LABEL = re.compile(r"\*\*(?P<label>[^*\n]{3,160}?)\s*(?::\*\*|\*\*\s*:)\s*(?P<body>\S.*)",
                         re.DOTALL)


def _bold_task_label(doc: Document, s: int, e: int) -> tuple[int, int] | None:
    """The span of a bold task that heads a list item followed by its rationale, if any.

    Why: "**Run `terraform plan` in CI**: A plan should be run on every pipeline so that..."
    states the task in bold and explains it after the colon; the guide's item is the task. Only
    when the bold part opens with a verb in its base form (a task, not a "Monitoring:" topic)
    and the body reads as an explanation (``rationale_start``: "It ...", "Each repository
    should ...", "In case of ..."); a body in the imperative is a task itself and the item
    stays whole ("**Add Monitoring**: Implement monitoring for ...").
    """
    m = _BULLET.match(doc.text[s:e])  # sliced: the look-behind must not see before s
    pos = s + m.end() if m else s
    if doc.text[max(0, pos - 2):pos] == "**":
        pos -= 2  # the span was trimmed on ``clean``, where the emphasis marks are blank
    b = _BOLD_LABEL.match(doc.text, pos, e)
    if not b:
        return None
    label, body = b.group("label"), b.group("body")
    first = label.split()[0].lower() if label.split() else ""
    why = task_pattern("rationale_start")
    if (leading_verb(label) is None or first.endswith(("ed", "ing")) or leading_verb(body)
            or word_count(body) < 8 or why is None or not why.match(body)):
        return None
    return b.start("label"), b.end("label")


def _list_label_body(doc: Document, s: int, e: int) -> int | None:
    """Start of the sentences after a task-list label ("Improvements/Fixes: ..."), if the
    item holds such a label and more than one sentence after it; else None."""
    text = _BULLET.sub(lambda m: " " * len(m.group(0)), doc.clean[s:e], count=1)
    end = _label_end(text)
    rx = task_pattern("task_list_heading")
    if not end or rx is None or not rx.search(text[:end]):
        return None
    body = s + end
    return body if len(_pieces(doc, body, e)) > 1 else None


def _item_end(doc: Document, s: int, e: int, starts: Sequence[int]) -> int:
    """End of the list item (or one-line label) holding ``[s, e)``; ``e`` for other blocks,
    whose lines or sentences are items of their own. ``starts``: the blocks' start offsets."""
    # blocks are in document order: the last one starting at or before ``s`` may hold it
    i = bisect.bisect_right(starts, s) - 1
    if i < 0 or not s < doc.blocks[i].end:
        return e
    b = doc.blocks[i]
    one_item = b.kind == "list_item" or (
        b.kind == "label" and "\n" not in doc.clean[b.start:b.end].strip())
    return max(e, b.end) if one_item else e


def _inline_task_blocks(doc: Document, taken: set[int]) -> list[int]:
    """Blocks of a task list opened by a bare label inside another section.

    Why: "Resolution" sections often end with "Long-Term Remediation Measures:" and the
    tasks under it; the section classifier labels the whole part by its heading, but the
    guide counts every task listed. The list runs to the next heading or bare label.
    """
    rx = task_pattern("inline_task_label")
    if rx is None:
        return []
    out: list[int] = []
    region = False
    for i, b in enumerate(doc.blocks):
        if i in taken or b.kind == "heading":
            region = False
            continue
        text = doc.clean[b.start:b.end].strip()
        bare = (b.kind == "label" and b.body_start is not None
                and not doc.clean[b.body_start:b.end].strip()) or (
            b.kind in ("list_item", "paragraph") and text.endswith(":")
            and word_count(text) <= 6)
        if bare:
            # a label is short: a longer "bare" block is junk ("":\n" x 6,000 once took 6 s
            # in the label pattern's \W* runs)
            region = len(text) <= 300 and bool(rx.search(_BULLET.sub("", text, count=1)))
        elif region:
            out.append(i)
    return out


def candidate_spans(doc: Document, sections: Sequence[Section]) -> list[tuple[int, int]]:
    """Spans of task candidates in task sections, in document order, without intros."""
    spans: list[tuple[int, int]] = []
    seen: set[int] = set()
    task_blocks = [i for sec in _task_sections(sections) for i in sec.block_indices]
    task_blocks += _inline_task_blocks(doc, set(task_blocks))
    lesson_tasks = _lesson_tasks(doc, sections, set(task_blocks))
    for i in task_blocks:
        if i in seen or not 0 <= i < len(doc.blocks):
            continue
        seen.add(i)
        b: Block = doc.blocks[i]
        if b.kind == "heading":
            continue
        if b.kind in ("code", "html"):
            for p in _pieces(doc, b.start, b.end, _LINES):
                t = doc.clean[p[0]:p[1]]
                # a shell command ("npm cache clean --force", "pnpm cache delete") is no task
                if word_count(t) >= 2 and not _is_intro(t) and _task_like(t) and \
                        not _COMMAND.search(t):
                    spans.append(p)
            continue
        if b.kind == "table_row":
            if re.search(r"\b(?:action|task|item|owner|status)\b", b.text, re.I) and \
                    word_count(b.text) <= 6:
                continue  # a header row
            spans.append(_trim(doc, b.start, b.end))
            continue
        if b.kind == "label" and b.body_start is not None and not doc.clean[
                b.body_start:b.end].strip():
            continue  # a bare "Short-term:" label
        if b.kind == "list_item" or b.kind == "label":
            s, e = _trim(doc, b.start, b.end)
            text = doc.clean[s:e]
            if "\n" in text.strip() and b.kind == "label":
                # a label followed by one task per line
                pieces = _pieces(doc, b.body_start or s, e)
                spans.extend(p for p in pieces if not _is_intro(doc.clean[p[0]:p[1]]))
            elif (body := _list_label_body(doc, s, e)) is not None:
                # "Improvements/Fixes: <task>. <task>.": the label names a list, each
                # sentence after it is a task of its own
                spans.extend(p for p in _pieces(doc, body, e)
                             if not _is_intro(doc.clean[p[0]:p[1]]))
            else:
                s, e = _bold_task_label(doc, s, e) or (s, _cut_remarks(doc, s, e))
                if e > s and not _is_intro(doc.clean[s:e]):
                    spans.append((s, e))
            continue
        for p in _pieces(doc, b.start, b.end):
            t = doc.clean[p[0]:p[1]]
            # a line opened by a bullet symbol ("✔️ Train ...") is a list item typed
            # without Markdown: it needs no task-like wording, as a list item needs none
            if not _is_intro(t) and (_task_like(t) or _SYM_LEAD.match(t)):
                spans.append(p)
    spans = sorted(set(spans + lesson_tasks))
    return [sp for sp in spans if re.search(r"[A-Za-z]{2}", doc.clean[sp[0]:sp[1]])]


def _lesson_tasks(doc: Document, sections: Sequence[Section], taken: set[int]
                  ) -> list[tuple[int, int]]:
    """List items of a lessons section written as tasks ("Record war room meetings").

    Why: the guide leaves "we should..." reflections of lessons out "unless written as tasks";
    a list item that opens with an imperative verb is one.
    """
    out: list[tuple[int, int]] = []
    for sec in sections:
        if sec.label != "lessons_learned":
            continue
        for i in sec.block_indices:
            if i in taken or not 0 <= i < len(doc.blocks) or doc.blocks[i].kind != "list_item":
                continue
            b = doc.blocks[i]
            s, e = _trim(doc, b.start, b.end)
            text = _BULLET.sub("", doc.clean[s:e], count=1)
            if "\n" in text.strip() or _is_intro(text):
                continue
            verb = leading_verb(text) if task_body_start(text) == 0 else None
            # the base form only: "Testing matters." is a lesson, "Test every deploy" a task
            if (verb and not verb.lower().endswith(("ing", "ed"))) or \
                    _task_verb_open().match(text):
                out.append((s, _cut_remarks(doc, s, e)))
    return out


def _too_short(text: str) -> bool:
    """A one- or two-word line ("Prevention", "Status monitoring.", "Test!") is a title or
    an exclamation, not a task; two words stay when they read as a task ("Rotate keys")."""
    text = _BULLET.sub("", text, count=1).strip()
    n = word_count(text)
    if n >= 3:
        return False
    return n < 2 or text.endswith("!") or leading_verb(text) is None


def _strip_bullet(doc: Document, s: int, e: int) -> tuple[int, int]:
    """Drop a leading bullet / number / checkbox so the verbatim text starts at the words."""
    m = _BULLET.match(doc.text[s:e])
    if m and m.end() < e - s:
        s += m.end()
    return s, e


def _is_field_of(doc: Document, prev_end: int, start: int, clean: str) -> bool:
    """Whether ``clean`` only gives the owner / deadline / status of the task above it.

    Why: task lists often put "Owner: QA Team" and "Due Date: Aug 25" on their own lines or
    sub-bullets under the task; the guide counts the task once, with its owner and deadline,
    so such a line is not an item. It must follow the task (or another field line under it,
    ending at ``prev_end``) with nothing but layout between.
    """
    rx = task_pattern("item_field")
    if rx is None or not rx.match(clean) or word_count(clean) > 10:
        return False
    gap = doc.clean[prev_end:start]
    return prev_end <= start and not _BULLET.sub(" ", gap).strip()


def _with_field(prev: ActionItem, clean: str) -> ActionItem:
    """``prev`` with the owner / deadline that a field line (see :func:`_is_field_of`) names."""
    own = find_owner(clean) if not prev.owner else None
    due = find_deadline(clean) if not prev.deadline else None
    return replace(prev, owner=prev.owner or own is not None,
                   deadline=prev.deadline or due is not None,
                   owner_text=prev.owner_text or (own.text if own else None),
                   deadline_text=prev.deadline_text or (due.text if due else None))


def extract(doc: Document, sections: Sequence[Section], entities: Sequence[Entity] = ()
            ) -> tuple[ActionItem, ...]:
    """Every corrective / preventive task of ``doc``, in order, judged (see module doc)."""
    services = tuple(dict.fromkeys(en.text for en in entities if en.label == "SERVICE"))
    items: list[ActionItem] = []
    last_end = 0  # end of the last item or of the field lines under it
    starts = [b.start for b in doc.blocks]
    for s, e in candidate_spans(doc, sections):
        s, e = _strip_bullet(doc, s, e)
        clean = doc.clean[s:e]
        if items and _is_field_of(doc, last_end, s, clean):
            items[-1] = _with_field(items[-1], clean)
            last_end = e
            continue
        last_end = e
        if _too_short(clean):
            continue
        # judged on the raw words: ``clean`` blanks the backticks that mark code names;
        # "**" emphasis is dropped so a bold label still reads "Label: task"
        # the remarks cut off a list item (:func:`_cut_remarks`) may still name its owner or
        # deadline ("... Owner: SRE, by May 3"): they are looked for in the whole item
        full = _item_end(doc, s, e, starts)
        raw = " ".join(doc.text[s:full].replace("**", " ").split())
        ok, conf, reason = judge(re.sub(r"\s+([:.,;])", r"\1", raw), services)
        whole = doc.clean[s:full]
        own = find_owner(whole)
        due = find_deadline(whole)
        items.append(ActionItem(
            text=doc.text[s:e], start=s, end=e, actionable=ok,
            owner=own is not None, deadline=due is not None,
            owner_text=own.text if own else None, deadline_text=due.text if due else None,
            reason=reason, confidence=conf,
        ))
    return tuple(items)
