"""Layout of the impact graph as server-rendered SVG: one column per depth, left to right.

Only coordinates and texts are computed here; the template draws them (auto-escaped), so the same
picture serves the page and a PDF. Large layers are cut to ``per_layer`` boxes plus a "+N more" box;
the table under the picture always lists everything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .selectors import Impact, ImpactNode

BOX_WIDTH = 190
BOX_HEIGHT = 46
COLUMN_GAP = 80
ROW_GAP = 14
MARGIN = 16


@dataclass
class Box:
    x: int
    y: int
    kind: str
    label: str
    code: str
    state: str
    url: str = ""
    more: int = 0

    @property
    def cx(self) -> int:
        return self.x + BOX_WIDTH // 2

    @property
    def right(self) -> int:
        return self.x + BOX_WIDTH

    @property
    def mid_y(self) -> int:
        return self.y + BOX_HEIGHT // 2


@dataclass
class Line:
    x1: int
    y1: int
    x2: int
    y2: int
    label: str

    @property
    def path(self) -> str:
        bend = (self.x2 - self.x1) // 2
        return (
            f"M{self.x1},{self.y1} C{self.x1 + bend},{self.y1} {self.x2 - bend},{self.y2} {self.x2},{self.y2}"
        )

    @property
    def label_x(self) -> int:
        return (self.x1 + self.x2) // 2

    @property
    def label_y(self) -> int:
        return (self.y1 + self.y2) // 2 - 4


@dataclass
class Picture:
    width: int
    height: int
    boxes: list[Box] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    columns: list[tuple[int, int]] = field(default_factory=list)  # (x, depth) of each column heading


def layout(impact: Impact, *, url_for: Any, per_layer: int = 25) -> Picture:
    """Boxes and connecting lines for ``impact``; ``url_for(node)`` gives a node's link or ""."""
    boxes: dict[str, Box] = {}
    columns: list[tuple[int, int]] = []
    tallest = 0
    for index, layer in enumerate(impact.layers()):
        x = MARGIN + index * (BOX_WIDTH + COLUMN_GAP)
        columns.append((x, layer[0].depth))
        shown: list[ImpactNode] = layer[:per_layer]
        hidden = len(layer) - len(shown)
        y = MARGIN + 22
        for node in shown:
            boxes[node.key] = Box(
                x=x,
                y=y,
                kind=node.kind,
                label=node.label,
                code=node.code,
                state=node.state,
                url=url_for(node),
            )
            y += BOX_HEIGHT + ROW_GAP
        if hidden:
            boxes[f"more:{index}"] = Box(x=x, y=y, kind="more", label="", code="", state="", more=hidden)
            y += BOX_HEIGHT + ROW_GAP
        tallest = max(tallest, y)
    lines = []
    for parent, child, relationship in impact.edges():
        start, end = boxes.get(parent.key), boxes.get(child.key)
        if start is None or end is None:
            continue
        lines.append(Line(start.right, start.mid_y, end.x, end.mid_y, relationship))
    width = MARGIN * 2 + len(columns) * BOX_WIDTH + max(0, len(columns) - 1) * COLUMN_GAP
    return Picture(
        width=width, height=tallest + MARGIN, boxes=list(boxes.values()), lines=lines, columns=columns
    )
