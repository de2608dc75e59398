"""The report: one self-contained HTML page (inline CSS and SVG; no scripts, fonts or styles
from elsewhere) of the published figures, with charts for people who would rather look than read.

It shows only published (disclosure-controlled) values, the same as the data file, except the
monthly counts of episodes, which are national and rounded like national counts. Every chart
has a title, a text description and the table of its figures. Output is deterministic.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from html import escape

from mcds import standard as std
from mcds.stats.breakdowns import BREAKDOWN, TOPIC
from mcds.stats.breakdowns import COLUMNS as BREAKDOWN_COLUMNS
from mcds.stats.compute import NO, TOTAL, YES, Selection
from mcds.stats.config import Disclosure, Indicator, indicators, publication
from mcds.stats.ees import LOCAL_AUTHORITY, NATIONAL, Published
from mcds.stats.versions import older_packages

__all__ = ["BACKGROUND", "COLOURS", "TEXT", "report"]

# The Government Analysis Function's accessible categorical palette (first three colours), dark
# text on white. Each colour has a contrast of at least 3:1 with the background (tested).
COLOURS = ("#12436D", "#28A197", "#801650")
TEXT, MUTED, BACKGROUND, RULE = "#0b0c0c", "#484949", "#ffffff", "#b1b4b6"

CSS = f"""
body{{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:{TEXT};background:{BACKGROUND};
margin:0;line-height:1.45}}
main,header,footer{{max-width:60rem;margin:0 auto;padding:0 1rem}}
header{{border-bottom:4px solid {COLOURS[0]};padding-top:1rem}}
h1{{font-size:1.8rem;margin:.5rem 0}} h2{{font-size:1.45rem;margin-top:2rem}} h3{{font-size:1.15rem;margin-top:1.6rem}}
p.lead{{color:{MUTED};margin-top:0}}
ul.cards{{list-style:none;padding:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(13rem,1fr));gap:.75rem}}
ul.cards li{{border-left:5px solid {COLOURS[0]};padding:.4rem .8rem;background:#f3f2f1}}
.big{{display:block;font-size:1.7rem;font-weight:700}}
figure{{margin:1rem 0}} figcaption{{font-weight:700;margin-bottom:.4rem}}
svg{{max-width:100%;height:auto}} svg text{{font-family:inherit;font-size:13px;fill:{TEXT}}}
table{{border-collapse:collapse;margin:.5rem 0;font-size:.95rem}}
th,td{{border-bottom:1px solid {RULE};padding:.25rem .6rem;text-align:left}} td.n{{text-align:right}}
details{{margin:.5rem 0}} summary{{cursor:pointer;color:{COLOURS[0]};text-decoration:underline}}
.key{{display:inline-block;width:.9rem;height:.9rem;margin:0 .3rem 0 .9rem;vertical-align:-.1rem}}
dl dt{{font-weight:700}} dl dd{{margin:0 0 .6rem 0}}
footer{{color:{MUTED};font-size:.9rem;border-top:1px solid {RULE};margin-top:2rem;padding-bottom:2rem}}
"""


def _num(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _svg_open(ident: str, width: int, height: int, title: str, desc: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
            f'height="{height}" role="img" aria-labelledby="{ident}-t {ident}-d">'
            f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(desc)}</desc>')


def _table(head: Sequence[str], rows: Sequence[Sequence[str]], caption: str) -> str:
    out = [f"<details><summary>Show the figures as a table</summary><table><caption>{escape(caption)}</caption>",
           "<thead><tr>" + "".join(f'<th scope="col">{escape(h)}</th>' for h in head) + "</tr></thead><tbody>"]
    for r in rows:
        cells = [f'<th scope="row">{escape(r[0])}</th>'] + [f'<td class="n">{escape(c)}</td>' for c in r[1:]]
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table></details>")
    return "".join(out)


def _legend(names: Sequence[str]) -> str:
    return '<p aria-hidden="true">' + "".join(
        f'<span class="key" style="background:{COLOURS[k % len(COLOURS)]}"></span>{escape(n)}'
        for k, n in enumerate(names)) + "</p>"


def hbar_chart(ident: str, title: str, desc: str, groups: Sequence[tuple[str, Sequence[str]]],
               series: Sequence[str], unit: str = "%") -> str:
    """Horizontal bars: one group per label, one bar per series; non-numeric values are written, not drawn."""
    label_w = 16 + 7 * max([len(label) for label, _ in groups] + [4])
    bar_w, bar_h, gap = 430, 18, 10
    height = sum(len(series) * bar_h + gap for _ in groups) + 10
    width = label_w + bar_w + 60
    top = max([_num(v) or Decimal(0) for _, vals in groups for v in vals] + [Decimal(1)])
    scale = Decimal(100) if unit == "%" and top <= 100 else top
    parts = [_svg_open(ident, width, height, title, desc)]
    y = 5
    for label, vals in groups:
        block = len(series) * bar_h
        parts.append(f'<text x="{label_w - 8}" y="{y + block / 2 + 5:.1f}" text-anchor="end">{escape(label)}</text>')
        for k, v in enumerate(vals):
            n = _num(v)
            yy = y + k * bar_h
            if n is not None:
                w = float(n / scale * bar_w) if scale else 0.0
                parts.append(f'<rect x="{label_w}" y="{yy + 2}" width="{w:.1f}" height="{bar_h - 4}" '
                             f'fill="{COLOURS[k % len(COLOURS)]}"><title>{escape(series[k])}: {escape(v)}{unit}</title></rect>')
                parts.append(f'<text x="{label_w + w + 4:.1f}" y="{yy + bar_h - 5}">{escape(v)}{unit}</text>')
            else:
                parts.append(f'<text x="{label_w + 4}" y="{yy + bar_h - 5}">{escape(v)}</text>')
        y += block + gap
    parts.append(f'<line x1="{label_w}" y1="0" x2="{label_w}" y2="{height}" stroke="{TEXT}"/></svg>')
    return "".join(parts)


def column_chart(ident: str, title: str, desc: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[str]]]) -> str:
    """Vertical grouped columns, one group per label (months), one column per series."""
    left, plot_h, col_w, gap = 50, 220, 16, 22
    group_w = len(series) * col_w + gap
    width = left + len(labels) * group_w + 10
    height = plot_h + 50
    top = max([_num(v) or Decimal(0) for _, vals in series for v in vals] + [Decimal(1)])
    parts = [_svg_open(ident, width, height, title, desc)]
    for frac in (0, Decimal("0.5"), 1):
        y = 10 + plot_h - float(frac) * plot_h
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 5}" y2="{y:.1f}" stroke="{RULE}"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{escape(_plain(top * frac))}</text>')
    for g, label in enumerate(labels):
        x0 = left + g * group_w + gap / 2
        for k, (name, vals) in enumerate(series):
            n = _num(vals[g])
            h = float(n / top * plot_h) if n is not None else 0.0
            x = x0 + k * col_w
            parts.append(f'<rect x="{x:.1f}" y="{10 + plot_h - h:.1f}" width="{col_w - 2}" height="{h:.1f}" '
                         f'fill="{COLOURS[k % len(COLOURS)]}"><title>{escape(name)}, {escape(label)}: '
                         f'{escape(vals[g])}</title></rect>')
        parts.append(f'<text x="{x0 + len(series) * col_w / 2:.1f}" y="{plot_h + 28}" text-anchor="middle">'
                     f'{escape(label)}</text>')
    parts.append(f'<line x1="{left}" y1="{10 + plot_h}" x2="{width - 5}" y2="{10 + plot_h}" stroke="{TEXT}"/></svg>')
    return "".join(parts)


def _plain(d: Decimal) -> str:
    return format(d.quantize(Decimal(1)), "f")


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _month_label(ym: str) -> str:
    y, m = ym.split("-")
    return f"{MONTHS[int(m) - 1]} {y[2:]}"


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


def _breakdowns(result: Published, year: int, share: Indicator | None) -> str:
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
    out = ["<h3>England, by sex, nationality group, type of exploitation and NRM outcome</h3>",
           "<p>Counts rounded to the nearest 10, one breakdown at a time; the regions' are in "
           f"{escape(b.name)}.csv. A child with more than one type of exploitation is counted under each.</p>"]
    for topic in dict.fromkeys(r[TOPIC] for r in rows):
        mine = [r for r in rows if r[TOPIC] == topic]
        out.append(f"<figure><figcaption>{escape(topic)}, England, {year}</figcaption>")
        out.append(_table([topic, *(inds[c].label for c in cols)], [[r[BREAKDOWN], *(r[c] for c in cols)] for r in mine],
                          f"{topic}, England, {year}"))
        out.append("</figure>")
    return "".join(out)


def report(result: Published, cfg: Disclosure, version: str | None = None) -> str:
    s = std.load(version)
    pub, inds = publication(version), indicators(version)
    nf = len(pub.filters)
    total_sel: Selection = (TOTAL,) * nf
    groups: list[tuple[str, Selection]] = [("All children", total_sel)]
    for d, f in enumerate(pub.filters):
        groups.append((f.label, tuple(YES if k == d else TOTAL for k in range(nf))))
    level_of = {TOTAL: pub.filter_levels.total, YES: pub.filter_levels.yes, NO: pub.filter_levels.no}

    def row_for(rows: list[dict[str, str]], sel: Selection) -> dict[str, str]:
        want = {f.id: level_of[v] for f, v in zip(pub.filters, sel, strict=True)}
        return next(r for r in rows if all(r[k] == v for k, v in want.items()))

    sym = cfg.symbols
    title = pub.dataset.title
    years = sorted({int(r["time_period"]) for r in result.rows}, reverse=True)
    body = [f"<header><h1>{escape(title)}</h1><p class=\"lead\">Official statistics computed with the Missing from "
            f"Care Data Standard {escape(s.version)}: {len(result.councils)} council return(s). Figures for England and "
            f"the regions are totals of the councils in these returns only.</p></header><main>"]
    if not years:
        body.append("<p>No returns were given, so there are no figures.</p>")
    share = inds.get(pub.report_indicator) if pub.report_indicator else None
    for year in years:
        in_year = [r for r in result.rows if r["time_period"] == str(year)]
        national = [r for r in in_year if r["geographic_level"] == NATIONAL]
        las = [r for r in in_year if r["geographic_level"] == LOCAL_AUTHORITY]
        nat = row_for(national, total_sel)
        body.append(f'<section aria-labelledby="y{year}"><h2 id="y{year}">Reporting year ending {year}</h2>')
        body.append("<h3>Headline figures</h3><ul class=\"cards\">")
        for ind in inds.values():
            v = nat[ind.id]
            unit = "%" if ind.unit == "percent" else (" day" if v == "1" else " days") if ind.unit == "days" else ""
            shown = f"{v}{unit}" if _num(v) is not None else v
            body.append(f'<li><span class="big">{escape(shown)}</span>{escape(ind.label)}</li>')
        body.append("</ul>")
        if share is not None:
            names = [g for g, _ in groups]
            vals = [row_for(national, sel)[share.id] for _, sel in groups]
            desc = "; ".join(f"{n}: {v}{'%' if _num(v) is not None else ''}" for n, v in zip(names, vals, strict=True))
            body.append(f"<h3>{escape(share.label)}</h3><figure><figcaption>{escape(share.label)}, England, "
                        f"{year}</figcaption>")
            body.append(hbar_chart(f"share-{year}", f"{share.label}, England, {year}", desc,
                                   [(n, [v]) for n, v in zip(names, vals, strict=True)], ["All"]))
            body.append(_table(["Group", share.label], [[n, v] for n, v in zip(names, vals, strict=True)],
                               f"{share.label}, England, {year}"))
            body.append("</figure>")
            of_council: dict[str, list] = {}  # each council's rows, councils in the order first seen
            for r in las:
                of_council.setdefault(r["new_la_code"], []).append(r)
            by_council = [(sub[0]["la_name"], [row_for(sub, sel)[share.id] for _, sel in groups])
                          for sub in of_council.values()]
            by_council.sort(key=lambda c: c[0])
            desc = "; ".join(f"{name}: " + ", ".join(f"{n} {v}" for n, v in zip(names, vals, strict=True))
                             for name, vals in by_council)
            body.append(f"<h3>{escape(share.label)}, by council</h3><figure><figcaption>{escape(share.label)} by "
                        f"council, {year}</figcaption>{_legend(names)}")
            body.append(hbar_chart(f"council-{year}", f"{share.label} by council, {year}", desc, by_council, names))
            body.append(_table(["Council", *names], [[n, *v] for n, v in by_council],
                               f"{share.label} by council, {year}"))
            body.append("</figure>")
        months = result.months.get(year, {})
        if months:
            labels = sorted(next(iter(months.values())))
            series = [(inds[i].label, [months[i][m] for m in labels]) for i in months]
            desc = "; ".join(f"{name}: " + ", ".join(f"{_month_label(m)} {v}" for m, v in zip(labels, vals, strict=True))
                             for name, vals in series)
            body.append(f"<h3>Episodes by month</h3><figure><figcaption>Episodes by the month they started, England, "
                        f"{year} (rounded to the nearest {cfg.round_base})</figcaption>{_legend([n for n, _ in series])}")
            body.append(column_chart(f"months-{year}", f"Episodes by month, England, {year}", desc,
                                     [_month_label(m) for m in labels], series))
            body.append(_table(["Month", *(n for n, _ in series)],
                               [[_month_label(m), *(vals[k] for _, vals in series)] for k, m in enumerate(labels)],
                               f"Episodes by month, England, {year}"))
            body.append("</figure>")
        body.append(_breakdowns(result, year, share))
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
    body.append("<dl>")
    for symbol, meaning in ((sym.suppressed, "not shown, to protect confidentiality"),
                            (sym.not_collected, "not available: the council's records do not hold these data"),
                            (sym.not_applicable, "not applicable (for example a percentage of no children)"),
                            (sym.rounds_to_zero, "more than zero, but rounds to zero")):
        body.append(f"<dt>{escape(symbol)}</dt><dd>{escape(meaning)}</dd>")
    body.append("</dl><h3>Definitions</h3><dl>")
    for ind in inds.values():
        body.append(f"<dt>{escape(ind.label)} (<code>{escape(ind.id)}</code>)</dt><dd>{escape(ind.definition)}</dd>")
    body.append("</dl></section></main>")
    files = [f"{pub.dataset.name}.csv", *([f"{result.breakdowns.name}.csv"] if result.breakdowns is not None else [])]
    body.append(f"<footer><p>Produced by mcds from returns in the Missing from Care Data Standard "
                f"{escape(s.version)}. Data files: {escape(', '.join(files))}.</p></footer>")
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{escape(title)}</title>\n'
            f"<style>{CSS}</style>\n</head>\n<body>\n" + "\n".join(body) + "\n</body>\n</html>\n")
