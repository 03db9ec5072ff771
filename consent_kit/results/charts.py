"""Bar charts as inline SVG, drawn on the server: no JavaScript, no pictures to download.

Pure logic (no Flask). Each bar is labelled with its words, count and
percentage, so colour is never the only cue, and the axis is labelled. The
same numbers are always in a table beside the chart, for screen readers.
Only SVG attributes are used for colour (no ``style``), so the page's
Content-Security-Policy, which forbids inline styles, allows it.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from html import escape

from consent_kit.results.summary import Tally

WIDTH = 320  # phone first: 14px text stays about 13px on a 320px screen
BAR_LEFT = 8
BAR_WIDTH = 200  # leaves room after the longest bar for "1,234 (100%)"
BAR_HEIGHT = 20
LINE = 17  # height of a line of text
GAP = 12  # space between one bar and the next answer's words
TOP = 4
AXIS_ROOM = 48  # the axis numbers and the axis label under the bars
LABEL_CHARS = 40  # characters per line of an answer's words, above its bar
BAR_COLOUR = "#1d70b8"  # 5.2:1 against white: more than the 3:1 graphics need (WCAG 1.4.11)


def _wrap(label: str) -> list[str]:
    lines = textwrap.wrap(label, LABEL_CHARS) or [""]
    if len(lines) > 3:
        lines = lines[:2] + [textwrap.shorten(" ".join(lines[2:]), LABEL_CHARS, placeholder="…")]
    return lines


def _nice_max(biggest: int) -> int:
    """A round number at least ``biggest``, for the end of the axis (5, 10, 20, 50, 100 …)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= max(biggest, 1):
                return step * factor
        step *= 10


def bar_chart(tally: Tally, *, chart_id: str, title: str, words: Mapping[str, str]) -> str:
    """An SVG bar chart of ``tally``, with words in the reader's language.

    ``words["axis"]`` labels the axis; ``words["hidden"]`` replaces counts that are too
    small to show ("fewer than 5");
    ``words["desc"]`` says where the table with the same numbers is.
    """
    shown = [c.count for c in tally.cells if not c.hidden]
    top = _nice_max(max(shown, default=0))
    parts, y = [], TOP
    for cell in tally.cells:
        lines = _wrap(cell.label)
        parts.append(_row(cell, lines, y, top, words))
        y += len(lines) * LINE + BAR_HEIGHT + GAP
    height = y + AXIS_ROOM
    label_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    return (
        f'<svg class="chart" id="{escape(chart_id)}" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-labelledby="{escape(label_id)} {escape(desc_id)}" '
        f'font-family="inherit" font-size="14" fill="currentColor">'
        f'<title id="{escape(label_id)}">{escape(title)}</title>'
        f'<desc id="{escape(desc_id)}">{escape(words.get("desc", ""))}</desc>'
        + "".join(parts) + _axis(y, top, words.get("axis", "")) + "</svg>"
    )


def _row(cell, lines: list[str], y: int, top: int, words: Mapping[str, str]) -> str:
    """One answer: its words on their own lines, and under them its bar, count and percent."""
    label = "".join(
        f'<tspan x="{BAR_LEFT}" y="{y + (n + 1) * LINE - 4}">{escape(line)}</tspan>'
        for n, line in enumerate(lines)
    )
    out = f'<text font-weight="bold">{label}</text>'
    bar_top = y + len(lines) * LINE
    middle = bar_top + BAR_HEIGHT - 5
    if cell.hidden:
        # No bar at all: its length would give away what the words hide.
        return out + f'<text x="{BAR_LEFT}" y="{middle}">{escape(words.get("hidden", ""))}</text>'
    length = round(BAR_WIDTH * cell.count / top, 1) if top else 0
    value = f"{cell.count:,}" + (f" ({cell.percent:g}%)" if cell.percent is not None else "")
    return out + (
        f'<rect x="{BAR_LEFT}" y="{bar_top}" width="{length:g}" height="{BAR_HEIGHT}" '
        f'fill="{BAR_COLOUR}"/>'
        f'<text x="{BAR_LEFT + length + 6:g}" y="{middle}">{escape(value)}</text>'
    )


def _axis(y: int, top: int, label: str) -> str:
    """The line under the bars, with 0, the middle and the end marked, and what it counts."""
    ticks = "".join(
        f'<line x1="{x:g}" y1="{y}" x2="{x:g}" y2="{y + 5}" stroke="currentColor"/>'
        f'<text x="{x:g}" y="{y + 20}" text-anchor="middle">{value:,}</text>'
        for value, x in ((v, BAR_LEFT + BAR_WIDTH * v / top) for v in sorted({0, top // 2, top}))
    )
    return (
        f'<line x1="{BAR_LEFT}" y1="{y}" x2="{BAR_LEFT + BAR_WIDTH}" y2="{y}" stroke="currentColor"/>'
        + ticks
        + f'<text x="{BAR_LEFT + BAR_WIDTH / 2:g}" y="{y + 40}" text-anchor="middle">{escape(label)}</text>'
    )
