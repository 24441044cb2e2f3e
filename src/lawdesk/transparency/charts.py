"""Geometry of the report's SVG charts: drawn by templates with attributes only (no script, no
``style=``), so they are readable without JavaScript and pass the CSP."""

from __future__ import annotations

from typing import Any

BLUE = "#3559c7"
ORANGE = "#d9822b"


def gettext_noop(text: str) -> str:
    """Mark a string for the catalogue (makemessages) without importing Django: the
    transparency verifier reads these labels and runs without Django."""
    return text


# Plain English strings (the PDF and the verifier read them); marked so that the page can
# show them translated.
OUTCOME_LABELS = {
    "fulfilled": gettext_noop("Fulfilled"), "partly_fulfilled": gettext_noop("Partly fulfilled"),
    "refused": gettext_noop("Refused"), "withdrawn": gettext_noop("Withdrawn"),
    "preserved": gettext_noop("Preserved"),
    "converted_to_production": gettext_noop("Converted to production"),
    "actioned": gettext_noop("Actioned (removal)"), "pending": gettext_noop("Pending"),
}


def axis(value: int, most: int = 5) -> tuple[int, int]:
    """A round top and a whole-number step, at most ``most`` steps: ticks 0, step, …, top.

    5 → (5, 1): 0 1 2 3 4 5 — never 0 1 2 4 5, which rounding quarters of 5 gives.
    """
    value = max(int(value), 1)
    scale = 1
    while True:
        # Round steps: 1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, …
        for step in (scale, 2 * scale, (25 * scale) // 10 if scale >= 10 else 0, 5 * scale):
            steps = -(-value // step) if step else most + 1  # ceiling division
            if steps <= most:
                return step * steps, step
        scale *= 10


def _num(value: Any) -> int:
    """A figure's height on a chart: a band (published small count) is drawn at its top."""
    return int(value["to"]) if isinstance(value, dict) else int(value)


def quarterly_bars(quarters: list[dict[str, Any]]) -> dict[str, Any]:
    """Grouped bars per quarter: requests fulfilled and users affected."""
    width, height, left, top, bottom = 640, 280, 48, 36, 32
    plot_h = height - top - bottom
    top_value, step = axis(max([_num(q["requests_fulfilled"]) for q in quarters] +
                               [_num(q["users_affected"]) for q in quarters] + [0]))
    group_w = (width - left - 8) / max(len(quarters), 1)
    bar_w = min(48.0, group_w / 3)
    groups = []
    for i, q in enumerate(quarters):
        x0 = left + i * group_w + (group_w - 2 * bar_w - 6) / 2
        bars = []
        for j, (key, colour) in enumerate((("requests_fulfilled", BLUE), ("users_affected", ORANGE))):
            value = q[key]
            h = round(plot_h * _num(value) / top_value, 1)
            x = round(x0 + j * (bar_w + 6), 1)
            bars.append({"x": x, "y": round(top + plot_h - h, 1), "w": round(bar_w, 1), "h": h,
                         "fill": colour, "value": value, "label_x": round(x + bar_w / 2, 1),
                         "label_y": round(top + plot_h - h - 4, 1)})
        groups.append({"label": q["quarter"][-2:], "label_x": round(left + i * group_w + group_w / 2, 1),
                       "bars": bars})
    ticks = [{"value": v, "y": round(top + plot_h - plot_h * v / top_value, 1)}
             for v in range(0, top_value + 1, step)]
    return {"width": width, "height": height, "groups": groups, "ticks": ticks, "left": left,
            "right": width - 8, "base_y": top + plot_h, "axis_label_y": height - 10,
            "blue": BLUE, "orange": ORANGE}


def outcome_bars(headline: dict[str, int]) -> dict[str, Any]:
    """Horizontal bars: closed requests by outcome, then those still pending."""
    items = [(k, headline.get(k, 0)) for k in OUTCOME_LABELS if headline.get(k, 0)]
    top = max([_num(v) for _, v in items] + [1])
    bars = [{"label": OUTCOME_LABELS[k], "value": v, "y": 8 + 30 * i, "text_y": 23 + 30 * i,
             "width": max(1, round(330 * _num(v) / top)), "value_x": 196 + max(1, round(330 * _num(v) / top)),
             "fill": "#9aa3b5" if k == "pending" else BLUE}
            for i, (k, v) in enumerate(items)]
    return {"bars": bars, "height": 16 + 30 * len(bars)}
