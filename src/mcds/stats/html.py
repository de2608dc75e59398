"""The report: one self-contained HTML page (inline CSS and SVG; no scripts, fonts or styles
from elsewhere) of the published figures, with charts for people who would rather look than read.

It shows only published (disclosure-controlled) values, the same as the data file, except the
monthly counts of episodes, which are national and rounded like national counts. Every chart
has a title, a text description and the table of its figures. Output is deterministic.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from html import escape

from mcds import standard as std
from mcds.stats.breakdowns import BREAKDOWN, TOPIC
from mcds.stats.breakdowns import COLUMNS as BREAKDOWN_COLUMNS
from mcds.stats.compute import NO, TOTAL, YES, Selection
from mcds.stats.config import Disclosure, Indicator, Symbols, indicators, publication
from mcds.stats.ees import LOCAL_AUTHORITY, NATIONAL, Published
from mcds.stats.guidance import coverage, filter_definitions, period_end_text
from mcds.stats.versions import older_packages

__all__ = ["BACKGROUND", "COLOURS", "TEXT", "column_chart", "hbar_chart", "report"]

# From the Government Analysis Function's palettes: dark blue, orange and a mid blue, chosen for
# luminances far apart (a reader who cannot tell the hues apart still tells the bars apart), each
# with a contrast of at least 3:1 with the white background (tested).
COLOURS = ("#12436D", "#F46A25", "#2073BC")
TEXT, MUTED, BACKGROUND, RULE = "#0b0c0c", "#484949", "#ffffff", "#b1b4b6"

CSS = f"""
body{{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:{TEXT};background:{BACKGROUND};
margin:0;line-height:1.45}}
main,header,footer{{max-width:60rem;margin:0 auto;padding:0 1rem}}
header{{border-bottom:4px solid {COLOURS[0]};padding-top:1rem;padding-bottom:.5rem}}
h1{{font-size:1.8rem;margin:.3rem 0}} h2{{font-size:1.45rem;margin-top:2rem}} h3{{font-size:1.15rem;margin:1.6rem 0 .3rem}}
p.status{{display:inline-block;margin:0;padding:.1rem .5rem;border:2px solid {TEXT};font-weight:700}}
p.lead{{color:{MUTED};margin:.2rem 0}} p.coverage{{border-left:5px solid {TEXT};padding:.3rem .8rem;background:#f3f2f1}}
ul.cards{{list-style:none;padding:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(13rem,1fr));gap:.75rem}}
ul.cards li{{border-left:5px solid {COLOURS[0]};padding:.4rem .8rem;background:#f3f2f1}}
.big{{display:block;font-size:1.7rem;font-weight:700}}
figure{{margin:1rem 0 2rem}} figcaption h3{{margin-top:0}}
.chart svg{{max-width:100%;height:auto}} svg text{{font-family:inherit;font-size:13px;fill:{TEXT}}}
table{{border-collapse:collapse;margin:.5rem 0;font-size:.95rem}} caption{{text-align:left;font-weight:700;padding:.3rem 0}}
th,td{{border-bottom:1px solid {RULE};padding:.25rem .6rem;text-align:left}} td.n{{text-align:right}}
tbody th{{white-space:nowrap}}
.scroll{{overflow-x:auto}} .scroll svg{{max-width:none}} .symbols{{font-size:.9rem;color:{MUTED}}}
.legend{{list-style:none;padding:0;margin:.5rem 0;display:flex;flex-wrap:wrap;gap:.3rem 1.2rem}}
.legend li{{display:flex;align-items:baseline;gap:.4rem}} .legend svg{{flex:none;align-self:center}}
p.table-name{{font-weight:700;margin:.8rem 0 .2rem}} .hint{{display:none;font-size:.9rem;color:{MUTED}}}
code,dt,dd{{overflow-wrap:anywhere}} dl dt{{font-weight:700}} dl dd{{margin:0 0 .6rem 0}}
dl.details{{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}} dl.details dd{{margin:0}}
a{{color:{COLOURS[0]}}}
footer{{color:{MUTED};font-size:.9rem;border-top:1px solid {RULE};margin-top:2rem;padding-bottom:2rem}}
@media (max-width:40rem){{h1{{font-size:1.4rem}} dl.details{{display:block}} dl.details dd{{margin-bottom:.4rem}}
tbody th{{white-space:normal;min-width:7rem}} .hint{{display:block}}}}
@media print{{body{{font-size:11pt}} main,header,footer{{max-width:none}}
figure,ul.cards li,tr,dl.details,p.coverage{{break-inside:avoid}} h2,h3,p.table-name{{break-after:avoid}}
.hint{{display:none}} footer{{break-before:avoid}}
section{{break-before:auto}} a{{color:{TEXT}}} .scroll{{overflow:visible}} .scroll svg{{max-width:100%}}}}
"""

CHARTED_MONTH_SERIES = 2  # the month chart draws the first two series (missing and away episodes)
SYMBOL_MARK_W = 34  # the width of the dashed box drawn for a value that is a symbol


def _num(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def fmt(text: str) -> str:
    """A published value as a reader reads it: thousands separated (1,010); a symbol as it is."""
    n = _num(text)
    if n is None:
        return text
    whole, _, frac = text.lstrip("-").partition(".")
    return ("-" if text.startswith("-") else "") + f"{int(whole):,}" + (f".{frac}" if frac else "")


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else many or one + 's'}"


def meanings(sym: Symbols) -> dict[str, str]:
    return {sym.suppressed: "not shown, to protect confidentiality",
            sym.rounds_to_zero: "more than zero, but rounds to zero",
            sym.not_collected: "not available: the council's records do not hold these data",
            sym.not_applicable: "not applicable (for example a percentage of no children)"}


def _svg_open(ident: str, width: int, height: int, title: str, desc: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
            f'height="{height}" role="img" aria-labelledby="{ident}-t {ident}-d">'
            f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(desc)}</desc>')


def _table(head: Sequence[str], rows: Sequence[Sequence[str]], caption: str, ident: str) -> str:
    """A table named by the line above it (outside the box that scrolls sideways on a phone, so the
    name is never cut off with the table's columns)."""
    out = [f'<p class="table-name" id="{ident}">{escape(caption)}</p>'
           f'<div class="table scroll" tabindex="0" role="region" aria-labelledby="{ident}">'
           f'<table aria-labelledby="{ident}">',
           "<thead><tr>" + "".join(f'<th scope="col">{escape(h)}</th>' for h in head) + "</tr></thead><tbody>"]
    for r in rows:
        cells = [f'<th scope="row">{escape(r[0])}</th>'] + [f'<td class="n">{escape(fmt(c))}</td>' for c in r[1:]]
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table></div>")
    return "".join(out)


def _legend(names: Sequence[str]) -> str:
    """The key to a chart's colours: each swatch drawn (so that it prints, as a background would not)
    and kept on the line of its name. Hidden from screen readers, which have the chart's description."""
    return '<ul class="legend" aria-hidden="true">' + "".join(
        f'<li><svg width="14" height="14" viewBox="0 0 14 14"><rect width="14" height="14" '
        f'fill="{COLOURS[k % len(COLOURS)]}"/></svg>{escape(n)}</li>' for k, n in enumerate(names)) + "</ul>"


def symbol_key(values: Sequence[str], sym: Symbols) -> str:
    """The key to the symbols among ``values`` (nothing when there are none)."""
    m = meanings(sym)
    found = [s for s in m if s in set(values)]
    if not found:
        return ""
    return '<p class="symbols">' + "; ".join(f"<strong>{escape(s)}</strong> {escape(m[s])}" for s in found) + ".</p>"


def _symbol_mark(x: float, y: float, h: float, value: str, tip: str) -> str:
    """A value that is a symbol: a dashed box holding the symbol, never a bar a reader could take for zero."""
    return (f'<g><title>{escape(tip)}</title><rect x="{x:.1f}" y="{y:.1f}" width="{SYMBOL_MARK_W}" height="{h:.1f}" '
            f'fill="{BACKGROUND}" stroke="{TEXT}" stroke-dasharray="3 2"/>'
            f'<text x="{x + SYMBOL_MARK_W / 2:.1f}" y="{y + h / 2 + 4.5:.1f}" text-anchor="middle" '
            f'font-weight="700">{escape(value)}</text></g>')


def hbar_chart(ident: str, title: str, desc: str, groups: Sequence[tuple[str, Sequence[str]]],
               series: Sequence[str], unit: str = "%", sym: Symbols | None = None) -> str:
    """Horizontal bars, laid out for a phone: each group's label above its bars, one bar per series;
    a value that is a symbol is drawn as the labelled symbol (:func:`_symbol_mark`)."""
    m = meanings(sym or Symbols())
    bar_w, bar_h, label_h, gap = 270, 20, 18, 12
    height = sum(label_h + len(series) * bar_h + gap for _ in groups) + 4
    width = bar_w + 70
    top = max([_num(v) or Decimal(0) for _, vals in groups for v in vals] + [Decimal(1)])
    scale = Decimal(100) if unit == "%" and top <= 100 else top
    parts = [_svg_open(ident, width, height, title, desc)]
    y = 2
    for label, vals in groups:
        parts.append(f'<text x="0" y="{y + 13}" font-weight="700">{escape(label)}</text>')
        y += label_h
        parts.append(f'<line x1="0.5" y1="{y}" x2="0.5" y2="{y + len(series) * bar_h}" stroke="{TEXT}"/>')
        for k, v in enumerate(vals):
            n = _num(v)
            yy = y + k * bar_h
            name = f"{series[k]}, {label}" if len(series) > 1 else label
            if n is not None:
                w = float(n / scale * bar_w) if scale else 0.0
                parts.append(f'<rect x="0" y="{yy + 2}" width="{w:.1f}" height="{bar_h - 4}" '
                             f'fill="{COLOURS[k % len(COLOURS)]}"><title>{escape(name)}: {escape(fmt(v))}{unit}</title></rect>')
                parts.append(f'<text x="{w + 4:.1f}" y="{yy + bar_h - 6}">{escape(fmt(v))}{unit}</text>')
            else:
                parts.append(_symbol_mark(0, yy + 2, bar_h - 4, v, f"{name}: {v} ({m.get(v, v)})"))
        y += len(series) * bar_h + gap
    parts.append("</svg>")
    return '<div class="chart">' + "".join(parts) + "</div>"


def axis_step(top: Decimal) -> int:
    """A step of whole numbers (1, 2 or 5 times a power of ten) giving at most five ticks up to ``top``."""
    power = 1
    while True:
        for step in (power, 2 * power, 5 * power):
            if top <= 5 * step:
                return step
        power *= 10


def column_chart(ident: str, title: str, desc: str, labels: Sequence[tuple[str, str]],
                 series: Sequence[tuple[str, Sequence[str]]], sym: Symbols | None = None) -> str:
    """Vertical grouped columns, one group per label (a month: its name and, under the first month and
    each January, its year), one column per series; a value that is a symbol is written upright in a
    dashed box from the axis."""
    m = meanings(sym or Symbols())
    left, plot_h, col_w, gap = 44, 200, 14, 8
    group_w = max(len(series) * col_w + gap, 30)
    width = left + len(labels) * group_w + 6
    height = plot_h + 52
    top = max([_num(v) or Decimal(0) for _, vals in series for v in vals] + [Decimal(1)])
    step = axis_step(top)
    top = Decimal(-(-top // step) * step)
    parts = [_svg_open(ident, width, height, title, desc)]
    for tick in range(0, int(top) + 1, step):
        y = 10 + plot_h - float(tick / top) * plot_h
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 5}" y2="{y:.1f}" stroke="{RULE}"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{tick:,}</text>')
    for g, (label, year) in enumerate(labels):
        x0 = left + g * group_w + (group_w - len(series) * col_w) / 2
        for k, (name, vals) in enumerate(series):
            n = _num(vals[g])
            x = x0 + k * col_w
            tip = f"{name}, {label} {year}".rstrip()
            if n is None:
                box_h = SYMBOL_MARK_W + 4
                parts.append(f'<g><title>{escape(tip)}: {escape(vals[g])} ({escape(m.get(vals[g], vals[g]))})</title>'
                             f'<rect x="{x:.1f}" y="{10 + plot_h - box_h:.1f}" width="{col_w - 2}" height="{box_h}" '
                             f'fill="{BACKGROUND}" stroke="{TEXT}" stroke-dasharray="3 2"/>'
                             f'<text transform="translate({x + col_w / 2 + 3:.1f} {10 + plot_h - 4:.1f}) rotate(-90)" '
                             f'font-weight="700">{escape(vals[g])}</text></g>')
                continue
            h = float(n / top * plot_h)
            parts.append(f'<rect x="{x:.1f}" y="{10 + plot_h - h:.1f}" width="{col_w - 2}" height="{h:.1f}" '
                         f'fill="{COLOURS[k % len(COLOURS)]}"><title>{escape(tip)}: {escape(fmt(vals[g]))}</title></rect>')
        mid = left + g * group_w + group_w / 2
        parts.append(f'<text x="{mid:.1f}" y="{plot_h + 28}" text-anchor="middle">{escape(label)}</text>')
        if year:
            parts.append(f'<text x="{mid:.1f}" y="{plot_h + 45}" text-anchor="middle">{escape(year)}</text>')
    parts.append(f'<line x1="{left}" y1="{10 + plot_h}" x2="{width - 5}" y2="{10 + plot_h}" stroke="{TEXT}"/></svg>')
    return (f'<div class="chart scroll" tabindex="0" role="region" aria-label="{escape(title)}">'
            + "".join(parts) + "</div>")


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _month_label(ym: str) -> str:
    y, m = ym.split("-")
    return f"{MONTHS[int(m) - 1]} {y[2:]}"


def _month_axis(months: Sequence[str]) -> list[tuple[str, str]]:
    """Each month's name, and its year under the first month and each January."""
    return [(MONTHS[int(ym[5:]) - 1], ym[:4] if k == 0 or ym.endswith("-01") else "") for k, ym in enumerate(months)]


COUNCILS_PER_FIGURE = 8  # so that a council chart of three series fits a printed page (tested)


def council_parts(councils: Sequence[tuple[str, str, Sequence[str]]], per: int = COUNCILS_PER_FIGURE,
                  ) -> list[tuple[str, list[tuple[str, Sequence[str]]]]]:
    """The council chart's figures: one of every council (by name) when there are at most ``per``,
    else each region's councils (regions and councils by name) in parts of at most ``per``, so that no
    figure is taller than a printed page. Each part: what its heading adds (", London (part 2 of 5)")
    and its councils' (name, values)."""
    if len(councils) <= per:
        return [("", [(n, v) for n, _, v in sorted(councils, key=lambda c: c[0])])]
    out = []
    for region in sorted({r for _, r, _ in councils}):
        mine = sorted(((n, v) for n, r, v in councils if r == region), key=lambda c: c[0])
        parts = -(-len(mine) // per)
        size = -(-len(mine) // parts)  # near-equal parts
        for k in range(parts):
            out.append((f", {region}" + (f" (part {k + 1} of {parts})" if parts > 1 else ""),
                        mine[k * size:(k + 1) * size]))
    return out


def _suppression_note(result: Published, cfg: Disclosure) -> str:
    """How many figures are suppressed, and what the audit proved."""
    cells = [v for r in result.rows for k, v in r.items() if k in indicators()]
    cells += [v for by_ind in result.months.values() for by_month in by_ind.values() for v in by_month.values()]
    if result.breakdowns is not None:  # (its Total rows repeat the data file's figures)
        cells += [v for r in result.breakdowns.rows if r[TOPIC] != r[BREAKDOWN] for k, v in r.items() if k in indicators()]
    hidden = sum(v == cfg.symbols.suppressed for v in cells)
    text = (f"{hidden:,} of the {len(cells):,} figures in these statistics are not shown "
            f"({cfg.symbols.suppressed}) to protect confidentiality.")
    prot = result.protection
    if prot is not None and not prot.audit.failures:
        text += (f" An audit solved for every hidden council count from all the figures published here, as someone "
                 f"trying to work them out would: each can still be any of a range at least {prot.audit.width} wide"
                 + (f" ({len(prot.added):,} figures were hidden for that)." if prot.added else "."))
    return escape(text)


def _breakdowns(result: Published, year: int, share: Indicator | None, sym: Symbols) -> str:
    """England's counts by each breakdown (the breakdowns file), as tables: the counts the report's
    headline percentage rests on, or else every count."""
    b = result.breakdowns
    if b is None or share is None:
        return ""
    inds = indicators()
    cols = [i for i in (share.denominator, share.numerator) if i in b.columns] or b.columns[len(BREAKDOWN_COLUMNS):]
    rows = [r for r in b.rows if r["time_period"] == str(year) and r["geographic_level"] == NATIONAL
            and r[TOPIC] != r[BREAKDOWN]]
    if not rows:
        return ""
    topics = [t if any(w[:1].isupper() for w in t.split()[1:]) else t[:1].lower() + t[1:]
              for t in dict.fromkeys(r[TOPIC] for r in rows)]
    out = [f"<h3>England, by {escape(_series_of(topics))}</h3>",
           "<p>Counts rounded to the nearest 10, one breakdown at a time; the regions' are in "
           f"{escape(b.name)}.csv. A child with more than one type of exploitation is counted under each.</p>"]
    for topic in dict.fromkeys(r[TOPIC] for r in rows):
        mine = [r for r in rows if r[TOPIC] == topic]
        out.append(_table([topic, *(inds[c].label for c in cols)], [[r[BREAKDOWN], *(r[c] for c in cols)] for r in mine],
                          f"{topic}, England, {year}", f"table-{_slug(topic)}-{year}"))
        out.append(symbol_key([r[c] for r in mine for c in cols], sym))
    return "".join(out)


def _slug(text: str) -> str:
    return "-".join("".join(ch if ch.isalnum() else " " for ch in text.lower()).split())


def _series_of(words: Sequence[str]) -> str:
    return ", ".join(words[:-1]) + (" and " if len(words) > 1 else "") + words[-1] if words else ""


def _details(result: Published, cfg: Disclosure, files: Sequence[str]) -> str:
    """The release's details, from the settings; what is not set is said to be not set."""
    rel = cfg.release

    def given(value: str, key: str) -> str:
        return escape(value) if value else f"Not set (<code>release.{key}</code> in the settings file)"

    method = (f'<a href="{escape(rel.methodology_url)}">{escape(rel.methodology_url)}</a>' if rel.methodology_url
              else given("", "methodology_url"))
    links = ", ".join(f'<a href="{escape(f)}">{escape(f)}</a>' for f in files)
    out = ['<h2 id="details">Release details</h2><dl class="details">']
    for term, value in (("Producer", given(rel.producer, "producer")), ("Published", given(rel.published, "published")),
                        ("Next update", given(rel.next_update, "next_update")), ("Contact", given(rel.contact, "contact")),
                        ("Methodology", method), ("Data files", links)):
        out.append(f"<dt>{term}</dt><dd>{value}</dd>")
    out.append("</dl>")
    return "".join(out)


def report(result: Published, cfg: Disclosure, version: str | None = None, files: Sequence[str] = ()) -> str:
    """The report; ``files``: the names of the files written beside it, which it links to."""
    s = std.load(version)
    pub, inds = publication(version), indicators(version)
    nf = len(pub.filters)
    total_sel: Selection = (TOTAL,) * nf
    groups: list[tuple[str, Selection]] = [("All children", total_sel)]
    for d, f in enumerate(pub.filters):
        groups.append((f.group or f.label, tuple(YES if k == d else TOTAL for k in range(nf))))
    level_of = {TOTAL: pub.filter_levels.total, YES: pub.filter_levels.yes, NO: pub.filter_levels.no}

    def row_for(rows: list[dict[str, str]], sel: Selection) -> dict[str, str]:
        want = {f.id: level_of[v] for f, v in zip(pub.filters, sel, strict=True)}
        return next(r for r in rows if all(r[k] == v for k, v in want.items()))

    sym = cfg.symbols
    title = pub.dataset.title
    country = pub.country.name
    years = sorted({int(r["time_period"]) for r in result.rows}, reverse=True)
    files = list(files) or [f"{pub.dataset.name}.csv", *([f"{result.breakdowns.name}.csv"] if result.breakdowns else [])]
    ends = ", ".join(f"{period_end_text(y, result.councils)}" for y in years)
    body = [f'<header><p class="status">{escape(cfg.release.status)}</p><h1>{escape(title)}</h1>'
            f'<p class="lead">{"Reporting year ending " + escape(ends) + ". " if years else ""}'
            f"From {plural(len(result.councils), 'council return')} in the Missing from Care Data Standard "
            f"{escape(s.version)}.</p>"]
    for y in years:
        cov = coverage(result.councils, y, version)
        body.append(f'<p class="coverage" id="coverage-{y}"><strong>Coverage{"" if len(years) == 1 else f" ({y})"}:'
                    f"</strong> {escape(cov.sentence(country))}</p>")
    body.append("</header><main>")
    if not years:
        body.append("<p>No returns were given, so there are no figures.</p>")
    share = inds.get(pub.report_indicator) if pub.report_indicator else None
    figures = itertools.count(1)

    def figure(ident: str, head: str, note: str = "") -> tuple[str, str]:
        """A figure's opening (its number and heading) and the name of its table, which is the
        figure's heading read with "as a table": a reader sees the heading once."""
        n = next(figures)
        opening = (f'<figure aria-labelledby="fig-{ident}"><figcaption><h3 id="fig-{ident}">Figure {n}: '
                   f"{escape(head)}</h3>{note}</figcaption>")
        return opening, f"Figure {n} as a table"

    def table(head: Sequence[str], rows: Sequence[Sequence[str]], name: str, ident: str) -> str:
        return _table(head, rows, name, f"table-{ident}").replace(
            f'aria-labelledby="table-{ident}"', f'aria-labelledby="fig-{ident} table-{ident}"')

    for year in years:
        in_year = [r for r in result.rows if r["time_period"] == str(year)]
        national = [r for r in in_year if r["geographic_level"] == NATIONAL]
        las = [r for r in in_year if r["geographic_level"] == LOCAL_AUTHORITY]
        nat = row_for(national, total_sel)
        body.append(f'<section aria-labelledby="y{year}"><h2 id="y{year}">Reporting year ending '
                    f"{period_end_text(year, result.councils)}</h2>")
        body.append(f"<h3>Headline figures, {escape(country)}</h3><ul class=\"cards\">")
        for ind in inds.values():
            v = nat[ind.id]
            shown = fmt(v) + ("%" if ind.unit == "percent" and _num(v) is not None else "")
            body.append(f'<li><span class="big">{escape(shown)}</span>{escape(ind.label)}</li>')
        body.append("</ul>" + symbol_key([nat[i] for i in inds], sym))
        if share is not None:
            names = [g for g, _ in groups]
            vals = [row_for(national, sel)[share.id] for _, sel in groups]
            desc = "; ".join(f"{n}: {fmt(v)}{'%' if _num(v) is not None else ''}" for n, v in zip(names, vals, strict=True))
            head = f"{share.label}, {country}, {year}"
            opening, name = figure(f"share-{year}", head)
            body.append(opening)
            body.append(hbar_chart(f"share-{year}", head, desc, [(n, [v]) for n, v in zip(names, vals, strict=True)],
                                   [share.label], sym=sym))
            body.append(symbol_key(vals, sym) + "</figure>")
            body.append(table(["Group", share.label], [[n, v] for n, v in zip(names, vals, strict=True)],
                              name, f"share-{year}"))
            of_council: dict[str, list] = {}  # each council's rows, councils in the order first seen
            for r in las:
                of_council.setdefault(r["new_la_code"], []).append(r)
            councils = [(sub[0]["la_name"], sub[0]["region_name"], [row_for(sub, sel)[share.id] for _, sel in groups])
                        for sub in of_council.values()]
            for k, (where, by_council) in enumerate(council_parts(councils)):
                desc = "; ".join(f"{name}: " + ", ".join(f"{n} {fmt(v)}" for n, v in zip(names, vals, strict=True))
                                 for name, vals in by_council)
                head = f"{share.label} by council{where}, {year}"
                ident = f"council-{year}" + (f"-{k + 1}" if where else "")
                opening, name = figure(ident, head)
                body.append(opening + _legend(names))
                body.append(hbar_chart(ident, head, desc, by_council, names, sym=sym))
                body.append(symbol_key([v for _, vs in by_council for v in vs], sym) + "</figure>")
                body.append(table(["Council", *names], [[n, *v] for n, v in by_council], name, ident))
        months = result.months.get(year, {})
        if months:
            labels = sorted(next(iter(months.values())))
            series = [(inds[i].label, [months[i][m] for m in labels]) for i in months]
            drawn = series[:CHARTED_MONTH_SERIES]  # the table holds every series; the chart the main ones
            desc = "; ".join(f"{name}: " + ", ".join(f"{_month_label(m)} {fmt(v)}" for m, v in zip(labels, vals, strict=True))
                             for name, vals in drawn)
            head = f"Episodes by the month they started, {country}, {year}"
            opening, name = figure(f"months-{year}", head, f"<p>Rounded to the nearest {cfg.round_base}. The table "
                                   "below the chart also gives the month's other counts.</p>")
            body.append(opening + _legend([n for n, _ in drawn])
                        + '<p class="hint" aria-hidden="true">Scroll the chart sideways to see every month.</p>')
            body.append(column_chart(f"months-{year}", head, desc, _month_axis(labels), drawn, sym=sym))
            body.append(symbol_key([v for _, vals in drawn for v in vals], sym) + "</figure>")
            body.append(table(["Month", *(n for n, _ in series)],
                              [[_month_label(m), *(vals[k] for _, vals in series)] for k, m in enumerate(labels)],
                              name, f"months-{year}"))
        body.append(_breakdowns(result, year, share, sym))
        body.append("</section>")
    body.append("<section aria-labelledby=\"notes\"><h2 id=\"notes\">About these figures</h2>")
    body.append(f"<p>National and regional counts are rounded to the nearest {cfg.round_base} (halves up). Council "
                f"counts from {cfg.suppress_min} to {cfg.suppress_max} are not shown, nor any other figure from which "
                f"one could be worked out; percentages are computed from unrounded figures.</p>")
    body.append(f"<p>{_suppression_note(result, cfg)}</p>")
    for older in older_packages(result.councils, inds.values()):
        if older.lacking:
            labels = ", ".join(inds[i].label.lower() for i in older.lacking)
            body.append(f"<p>{escape(older.council)} sent its return in version {escape(older.version)} of the "
                        f"standard, which does not record what these figures need: {escape(labels)}. They are "
                        f"shown as {escape(sym.not_collected)} for {escape(older.council)}; so are regional and national "
                        "counts that need them, and percentages that need them are computed from the councils "
                        "that record them.</p>")
    body.append('<h3 id="symbols">Symbols</h3><dl class="details">')
    for symbol, meaning in meanings(sym).items():
        body.append(f"<dt>{escape(symbol)}</dt><dd>{escape(meaning)}</dd>")
    body.append("</dl><h3>Definitions of the filters</h3><dl>")
    for label, text in filter_definitions(version):
        body.append(f"<dt>{escape(label)}</dt><dd>{escape(text)}</dd>")
    body.append("</dl><h3>Definitions of the figures</h3><dl>")
    for ind in inds.values():
        body.append(f"<dt>{escape(ind.label)} (<code>{escape(ind.id)}</code>)</dt><dd>{escape(ind.definition)}</dd>")
    body.append("</dl></section>")
    body.append(_details(result, cfg, files))
    body.append("</main>")
    body.append(f"<footer><p>Produced by mcds from returns in the Missing from Care Data Standard "
                f"{escape(s.version)}.</p></footer>")
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{escape(title)}</title>\n'
            f"<style>{CSS}</style>\n</head>\n<body>\n" + "\n".join(body) + "\n</body>\n</html>\n")
