"""Bar charts drawn on the server as inline SVG (no chart script, no request to another host).

A chart is a picture of a table printed beside it: the table is the accessible source, the SVG
is `role="img"` with a `<title>` and an `aria-label` that says what it shows. Each bar carries
its label above it (cut with « … » when long: the table has the full wording) and its value in
French at its end. Several series (the objectives' +++ / ++ / +) are stacked in one bar.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 560
LABEL_CHARS = 78
ROW = 42  # label line + bar
BAR_HEIGHT = 14
VALUE_ROOM = 96  # right of the longest bar, for its value
# Series fills, each at least 3:1 against white and against its neighbour's hue (teal, blue, ochre).
FILLS = ("#00676a", "#1f6fb2", "#b35900")


@dataclass(frozen=True)
class Bar:
    label: str
    values: tuple  # one value per series (numbers)

    @property
    def total(self):
        return sum(v or 0 for v in self.values)


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1].rstrip() + "…"


def bar_chart(
    title: str,
    bars: Sequence[Bar],
    fmt: Callable[[object], str],
    series: Sequence[str] = (),
) -> SafeString:
    """An SVG of horizontal bars (stacked when `series` names more than one value per bar)."""
    biggest = max((bar.total for bar in bars), default=0) or 1
    room = WIDTH - VALUE_ROOM
    legend = 24 if len(series) > 1 else 0
    height = legend + ROW * len(bars) + 4
    parts = []
    if legend:
        x = 0
        for index, name in enumerate(series):
            parts.append(
                f'<rect class="ami-chart__bar ami-chart__bar--{index}" x="{x}" y="4" width="12" height="12" '
                f'fill="{FILLS[index % len(FILLS)]}"/>'
                f'<text x="{x + 16}" y="15">{escape(name)}</text>'
            )
            x += 16 + 9 * len(name) + 24
    for row, bar in enumerate(bars):
        top = legend + ROW * row
        parts.append(f'<text x="0" y="{top + 13}">{escape(_short(bar.label))}</text>')
        x = 0.0
        for index, value in enumerate(bar.values):
            width = round(room * float(value or 0) / float(biggest), 1)
            if width > 0:
                parts.append(
                    f'<rect class="ami-chart__bar ami-chart__bar--{index}" x="{x}" y="{top + 19}" '
                    f'width="{width}" height="{BAR_HEIGHT}" fill="{FILLS[index % len(FILLS)]}"/>'
                )
            x += width
        parts.append(f'<text x="{round(x + 6, 1)}" y="{top + 31}">{escape(fmt(bar.total))}</text>')
    def spoken(bar: Bar) -> str:
        text = f"{bar.label}\u00a0: {fmt(bar.total)}"
        if len(series) > 1:
            text += " (" + ", ".join(f"{name}\u00a0: {fmt(v)}" for name, v in zip(series, bar.values, strict=False)) + ")"
        return text

    summary = "\u202f; ".join(spoken(bar) for bar in bars)
    label = f"Diagramme en barres «\u00a0{title}\u00a0»\u202f: {summary or 'aucune donnée'}."
    return mark_safe(  # noqa: S308 - every text above is escaped
        f'<svg class="ami-chart" role="img" aria-label="{escape(label)}" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" xmlns="http://www.w3.org/2000/svg" font-size="13">'
        f"<title>{escape(label)}</title>{''.join(parts)}</svg>"
    )
