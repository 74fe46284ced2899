"""A server-drawn SVG of an impact (or upstream) walk: one column per depth, each CI a link to its page.

Works without JavaScript; hovering a node shows the path that explains it.
"""

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

NODE_W, NODE_H, COL_GAP, ROW_GAP, PAD = 180, 38, 70, 12, 10
MAX_PER_COLUMN = 30


def _short(text, limit=24):
    return text if len(text) <= limit else text[:limit - 1] + "…"


def render_svg(rows, downstream=True):
    """rows: queries.ImpactRow list including the start CI (depth 0)."""
    columns = {}
    for row in rows:
        columns.setdefault(row.depth, []).append(row)
    positions, hidden = {}, {}
    for depth, column in columns.items():
        for index, row in enumerate(column[:MAX_PER_COLUMN]):
            positions[row.id] = (PAD + depth * (NODE_W + COL_GAP), PAD + index * (NODE_H + ROW_GAP))
        hidden[depth] = max(0, len(column) - MAX_PER_COLUMN)
    tallest = max((min(len(c), MAX_PER_COLUMN) + (1 if hidden[d] else 0) for d, c in columns.items()), default=1)
    width = PAD * 2 + (max(columns, default=0) + 1) * (NODE_W + COL_GAP) - COL_GAP
    height = PAD * 2 + tallest * (NODE_H + ROW_GAP)
    title = _("Impact graph") if downstream else _("Dependency graph")
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="ci-graph" role="img" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}" aria-label="{escape(title)}">',
             '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
             'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#8a94a6"/></marker></defs>']
    for row in rows:
        if row.via is None or row.id not in positions or row.via not in positions:
            continue
        x1, y1 = positions[row.via]
        x2, y2 = positions[row.id]
        parts.append(f'<line class="edge" x1="{x1 + NODE_W}" y1="{y1 + NODE_H / 2}" x2="{x2}" y2="{y2 + NODE_H / 2}" '
                     f'marker-end="url(#arrow)"><title>{escape(row.kind)}</title></line>')
    direction = "impact" if downstream else "upstream"
    for row in rows:
        if row.id not in positions:
            continue
        x, y = positions[row.id]
        url = reverse("cmdb:ci_detail", args=[row.id]) + f"?direction={direction}"
        css = "node start" if row.depth == 0 else f"node status-{escape(row.status)}"
        path = " → ".join(row.path)
        parts.append(
            f'<a href="{escape(url)}" class="{css}" data-ci-id="{row.id}" data-depth="{row.depth}">'
            f'<title>{escape(path)}</title>'
            f'<rect x="{x}" y="{y}" width="{NODE_W}" height="{NODE_H}" rx="5"/>'
            f'<text x="{x + 8}" y="{y + 15}" class="name">{escape(_short(row.name))}</text>'
            f'<text x="{x + 8}" y="{y + 30}" class="meta">{escape(_short(row.class_label or "", 28))}</text></a>')
    for depth, count in hidden.items():
        if count:
            x = PAD + depth * (NODE_W + COL_GAP)
            y = PAD + MAX_PER_COLUMN * (NODE_H + ROW_GAP) + 14
            more = _("and %(count)d more (see the list)") % {"count": count}
            parts.append(f'<text x="{x + 8}" y="{y}" class="more">{escape(more)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))
