"""``--format json`` (one JSON document: a list of rows) and ``--format jsonl`` (one per line)."""

from __future__ import annotations

import json

from pmscore.render import Renderer
from pmscore.types import Result


class JsonlRenderer(Renderer):
    """One JSON object per input, in input order, written as soon as it is graded."""

    name = "jsonl"
    streaming = True

    def row(self, result: Result) -> None:
        self.out.write(json.dumps(result.to_dict(), ensure_ascii=False, sort_keys=True) + "\n")
        self.out.flush()


class JsonRenderer(Renderer):
    """One JSON document: ``{"schema", "results": [...]}``; rows are streamed into the array."""

    name = "json"
    streaming = True

    def start(self) -> None:
        self._n = 0
        self.out.write('{"schema": "pmscore.results/1", "results": [')

    def row(self, result: Result) -> None:
        sep = "," if self._n else ""
        self._n += 1
        body = json.dumps(result.to_dict(), ensure_ascii=False, sort_keys=True, indent=2)
        self.out.write(sep + "\n" + body)

    def finish(self) -> None:
        self.out.write("\n]}\n")
