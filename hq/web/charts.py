"""Bar charts as server-side SVG: no JavaScript, no network, printable. Pure.

Every chart is decorative for assistive technology (role="img" with a label); the numbers are in the
table the page shows beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

WIDTH, BAR_GAP, LABEL_HEIGHT, TOP, MAX_STEP = 640, 4, 36, 16, 90


def _short(label: str) -> str:
    return label if len(label) <= 14 else label[:13] + "…"


def bar_chart(title: str, points: Sequence[tuple[str, float]], height: int = 220, value_label=str) -> str:
    """Vertical bars, one per (label, value); labels under the bars, the largest value above its bar."""
    largest = max((value for _, value in points), default=0) or 1
    plot = height - LABEL_HEIGHT - TOP
    step = min(WIDTH / max(len(points), 1), MAX_STEP)
    left = (WIDTH - step * len(points)) / 2  # few bars stay narrow and centred
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}" '
             f'xmlns="http://www.w3.org/2000/svg">',
             f'<line x1="0" y1="{TOP + plot}" x2="{WIDTH}" y2="{TOP + plot}" stroke="#5a6672" stroke-width="1"/>']
    for index, (label, value) in enumerate(points):
        bar = plot * value / largest
        x = left + index * step + BAR_GAP / 2
        half = 4 + 3.5 * len(value_label(value))  # about half the label's width at 12 px
        middle = min(max(x + (step - BAR_GAP) / 2, half), WIDTH - half)  # value labels stay inside the picture
        parts.append(f'<rect x="{x:.1f}" y="{TOP + plot - bar:.1f}" width="{step - BAR_GAP:.1f}" height="{bar:.1f}" '
                     f'fill="#0b5cad"><title>{escape(label)}: {escape(value_label(value))}</title></rect>')
        if value == largest:
            parts.append(f'<text x="{middle:.1f}" y="{TOP + plot - bar - 4:.1f}" font-size="12" '
                         f'text-anchor="middle" fill="#16202b">{escape(value_label(value))}</text>')
        if len(points) <= 16 or index % 2 == 0:
            parts.append(f'<text x="{x + (step - BAR_GAP) / 2:.1f}" y="{TOP + plot + 16}" font-size="11" '
                         f'text-anchor="middle" fill="#16202b">{escape(_short(label))}</text>')
    parts.append("</svg>")
    return "".join(parts)
