"""Assemble the report as one HTML file: styles, the font subset, plotly.js, the header, the sections.

Nothing is fetched when the file is opened: plotly.js is inlined from the Plotly package and the
font is a data: URL. Each chart's figure is a `<script type="application/json" class="figure-data">`
next to its `<div class="chart">`, rendered by one small script after the font has loaded; the
page sets `data-rendered="true"` on <body> once every chart is drawn (png.py and the tests wait
for it). The header's numbers are embedded the same way (`#report-header`).
"""
from __future__ import annotations

import html
import json

from plotly.offline import get_plotlyjs

from report import fonts
from report.figures import Section
from report.marts import Header

STYLE = """
body { font-family: "Tiering Sans", sans-serif; margin: 0; color: #222; background: #f6f7f9; }
main { max-width: 1180px; margin: 0 auto; padding: 16px 24px 48px; }
header.report-header { background: #1f3a5f; color: #fff; padding: 20px 24px; }
header.report-header h1 { margin: 0 0 6px; font-size: 26px; }
header.report-header .facts { display: flex; flex-wrap: wrap; gap: 8px 28px; font-size: 14px; margin: 10px 0; }
header.report-header .unpublished { background: #c0392b; padding: 2px 8px; border-radius: 4px; }
table.reconciliation { border-collapse: collapse; font-size: 13px; margin-top: 8px; }
table.reconciliation th, table.reconciliation td { padding: 3px 12px; text-align: right; border-bottom: 1px solid #4b6585; }
table.reconciliation th:first-child, table.reconciliation td:first-child { text-align: left; }
section.report-section { background: #fff; border-radius: 6px; margin: 18px 0; padding: 14px 20px 20px;
    box-shadow: 0 1px 3px rgba(0,0,0,.08); }
section.report-section h2 { margin: 4px 0 6px; font-size: 21px; }
section.report-section p.intro { margin: 0 0 10px; color: #555; font-size: 14px; line-height: 1.5; }
.chart-block h3 { font-size: 16px; margin: 14px 0 4px; }
.chart { width: 100%; min-height: 200px; }
p.notice { background: #fff7e0; border-left: 4px solid #e0a526; padding: 8px 12px; font-size: 14px; }
footer { color: #777; font-size: 12px; text-align: center; margin: 24px 0; }
"""

RENDER = """
(function () {
  var charts = Array.prototype.slice.call(document.querySelectorAll('.chart'));
  var config = {displaylogo: false, responsive: true, modeBarButtonsToRemove: ['sendDataToCloud']};
  document.fonts.load('16px "Tiering Sans"', '客').then(function () {
    return Promise.all(charts.map(function (div) {
      var figure = JSON.parse(document.getElementById('figure-' + div.dataset.chart).textContent);
      return Plotly.newPlot(div, figure.data, figure.layout, config);
    }));
  }).then(function () { document.body.dataset.rendered = 'true'; },
          function (error) { document.body.dataset.rendered = 'failed'; console.error(error); });
})();
"""


def _json_script(element_id: str, value, css_class: str = "") -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    cls = f' class="{css_class}"' if css_class else ""
    return f'<script type="application/json" id="{element_id}"{cls}>{text}</script>'


def _header_html(header: Header) -> str:
    e = html.escape
    if header.published:
        pub = header.publication
        status = (f"<span>Publication 发布编号: <b data-field=\"publication_id\">{e(str(pub['publication_id']))}</b></span>"
                  f"<span>Published 发布时间: {e(str(pub.get('published_at')).replace('T', ' ')[:19])} UTC</span>"
                  + (f"<span>Commit: {e(str(pub.get('git_commit'))[:12])}</span>" if pub.get("git_commit") else "")
                  + ("<span>Replay of a past date 历史重放</span>" if pub.get("is_replay") else ""))
    else:
        status = ('<span class="unpublished" data-field="publication_id">Unpublished build 未发布的构建</span>')
    rows = "".join(
        f"<tr data-entity=\"{e(r['entity'])}\"><td>{e(r['entity'])}</td><td>{r['raw_rows']:,}</td><td>{r['clean_rows']:,}</td>"
        f"<td>{r['rejected_rows']:,}</td><td>{r['duplicate_rows']:,}</td><td>{(r['reject_rate'] or 0) * 100:.2f}%</td></tr>"
        for r in header.reconciliation)
    table = (f'<table class="reconciliation"><thead><tr><th>Raw file 原始文件</th><th>Rows read 读取行数</th>'
             f'<th>Loaded 已加载</th><th>Quarantined 已隔离</th><th>Duplicates 重复</th><th>Reject rate 拒绝率</th>'
             f'</tr></thead><tbody>{rows}</tbody></table>' if rows else
             "<p>No load reconciliation in this database. 本数据库没有加载对账信息。</p>")
    return (f'<header class="report-header"><h1>Customer tiers · 客户分层分阶报告</h1>'
            f'<div class="facts"><span>As of 截至: <b data-field="as_of_date">{e(header.as_of_date)}</b></span>{status}</div>'
            f"{table}</header>")


def _section_html(section: Section) -> str:
    e = html.escape
    parts = [f'<section class="report-section" id="section-{section.number}" data-section="{section.key}">',
             f"<h2>{section.number}. {e(section.title)}</h2>", f'<p class="intro">{e(section.intro)}</p>']
    parts += [f'<p class="notice" data-notice="{section.key}">{e(text)}</p>' for text in section.notices]
    for chart in section.charts:
        parts.append(f'<div class="chart-block"><h3>{e(chart.title)}</h3>'
                     f'<div class="chart" id="chart-{chart.chart_id}" data-chart="{chart.chart_id}"></div>'
                     f'{_json_script("figure-" + chart.chart_id, chart.figure, "figure-data")}</div>')
    parts.append("</section>")
    return "".join(parts)


def header_data(header: Header) -> dict:
    return {"as_of_date": header.as_of_date, "published": header.published,
            "publication_id": (header.publication or {}).get("publication_id"),
            "reconciliation": header.reconciliation, "reconciliation_source": header.reconciliation_source}


def render(header: Header, sections: list[Section], generated_note: str = "") -> str:
    """The whole report as one HTML document."""
    body = (_header_html(header) + "<main>" + "".join(_section_html(s) for s in sections)
            + f"<footer>{html.escape(generated_note)}</footer></main>")
    # The font holds the characters of everything shown: the page and the figures' labels.
    font_css = fonts.font_face_css(body)
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>Customer tiers · 客户分层分阶报告 · {html.escape(header.as_of_date)}</title>"
            f"<style>{font_css}\n{STYLE}</style>"
            f"<script>{get_plotlyjs()}</script></head><body>"
            f"{_json_script('report-header', header_data(header))}"
            f"{body}<script>{RENDER}</script></body></html>\n")
