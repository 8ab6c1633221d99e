"""The static docs site (`dbt docs generate --static`), opened in headless Chromium as a reader would.

The customer_segments page must show the model's description (with its grain), every column of
the model with its type and description, and the model's lineage: the lineage graph, opened
from the page, draws an edge from each parent and to each child that dbt's manifest knows.
What is expected comes from the manifest of the same build, so the test follows the YAML.
A screenshot of the page with the graph open is kept in artifacts/docs/customer_segments.png.

The browser is Debian's Chromium (scripts/setup_browser.sh installs it), driven by Playwright's
Python client; Playwright downloads no browser of its own here. The last test points the same
check at a page without these things and requires it to fail.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.docs

PROJECT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("TIERING_CHROMIUM", "/usr/bin/chromium")
SCREENSHOT = PROJECT / "artifacts" / "docs" / "customer_segments.png"
MODEL_ID = "model.customer_tiering.customer_segments"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]
PAGE_TIMEOUT_MS = 30_000


def _normalise(text: str) -> str:
    """Visible text without markdown emphasis and with single spaces."""
    return re.sub(r"\s+", " ", re.sub(r"[*`_]", "", text or "")).strip()


def _grain_sentence(description: str) -> str:
    """The opening clause of a description: the grain ("One row per customer ...")."""
    return re.split(r"[:.;]", _normalise(description), maxsplit=1)[0].strip()


@pytest.fixture(scope="module")
def manifest(docs_warehouse):
    return json.loads((docs_warehouse.target / "manifest.json").read_text())


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: run scripts/setup_browser.sh (make docs-test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _open(browser, site: Path, route: str):
    """A page on `route` of the site; `page.outside_requests` lists what it asked beyond the file."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, device_scale_factor=1)
    page.outside_requests = []
    page.on("request", lambda request: None if request.url.startswith(("file:", "data:", "blob:"))
            else page.outside_requests.append(request.url))
    page.goto(f"{site.as_uri()}#!/{route}")
    try:
        page.wait_for_selector("column-details, .app-details", timeout=PAGE_TIMEOUT_MS)
    except Exception:  # the checks below report what is missing
        pass
    return page


def inspect_model_page(page, model: dict, manifest: dict) -> dict[str, list[str]]:
    """What the open page fails to show of `model`: {"description": [...], "columns": [...], "lineage": [...]}."""
    problems = {"description": [], "columns": [], "lineage": []}

    # Description: the rendered markdown of model.description, visible, opening with the grain.
    grain = _grain_sentence(model["description"])
    assert grain.lower().startswith("one row"), f"{model['name']}: the description does not state its grain"
    panel = page.locator("[marked='model.description']")
    if panel.count() == 0 or not panel.first.is_visible():
        problems["description"].append("no description panel is shown")
    elif grain not in _normalise(panel.first.inner_text()):
        problems["description"].append(f"the description shown does not contain {grain!r}")

    # Columns: one row per column of the YAML, in the column table, each with a type and a description.
    rows = page.evaluate("""() => Array.from(document.querySelectorAll('column-details tr.column-row'))
        .filter(row => row.offsetParent !== null)
        .map(row => Array.from(row.querySelectorAll('td')).slice(0, 3).map(td => td.innerText.trim()))""")
    shown = {row[0].lower(): row for row in rows if row}
    expected = {name.lower() for name in model["columns"]}
    for name in sorted(expected - set(shown)):
        problems["columns"].append(f"column {name} is not shown")
    for name in sorted(set(shown) - expected):
        problems["columns"].append(f"column {name} is shown but is not in the manifest")
    for name in sorted(expected & set(shown)):
        _, data_type, description = shown[name]
        if not data_type:
            problems["columns"].append(f"column {name} is shown without a type")
        if not description:
            problems["columns"].append(f"column {name} is shown without a description")

    # Lineage: open the page's lineage graph and read what cytoscape drew.
    launcher = page.locator("[title='View Lineage Graph']")
    if launcher.count() == 0 or not launcher.first.is_visible():
        problems["lineage"].append("no lineage graph launcher on the page")
        return problems
    launcher.first.click()
    try:
        page.wait_for_function(
            "() => { const el = document.getElementById('cy'); const cy = el && el._cyreg && el._cyreg.cy;"
            " return cy && cy.nodes().length > 0 && el.offsetParent !== null; }",
            timeout=PAGE_TIMEOUT_MS)
    except Exception:
        problems["lineage"].append("the lineage graph did not render")
        return problems
    page.wait_for_timeout(1000)  # the layout animation settles
    graph = page.evaluate("""() => {
        const el = document.getElementById('cy'); const cy = el._cyreg.cy;
        const box = {w: el.clientWidth, h: el.clientHeight};
        const onScreen = n => { const p = n.renderedPosition();
            return n.visible() && p.x >= 0 && p.y >= 0 && p.x <= box.w && p.y <= box.h; };
        return {
            nodes: cy.nodes().filter(onScreen).map(n => n.id()),
            edges: cy.edges().filter(e => e.visible()).map(e => [e.source().id(), e.target().id()]),
        };
    }""")
    nodes, edges = set(graph["nodes"]), {tuple(edge) for edge in graph["edges"]}
    uid = model["unique_id"]
    if uid not in nodes:
        problems["lineage"].append(f"{model['name']} is not drawn in the lineage graph")
    parents = set(model["depends_on"]["nodes"])
    children = {child for child in manifest["child_map"].get(uid, []) if not child.startswith("test.")}
    if not parents:
        problems["lineage"].append(f"{model['name']} has no parents in the manifest")
    for parent in sorted(parents):
        if parent not in nodes or (parent, uid) not in edges:
            problems["lineage"].append(f"no edge drawn from parent {parent}")
    for child in sorted(children):
        if child not in nodes or (uid, child) not in edges:
            problems["lineage"].append(f"no edge drawn to child {child}")
    return problems


def test_static_site_is_one_file_with_the_manifest_and_catalog_inside(docs_warehouse):
    html = docs_warehouse.static_site.read_text(encoding="utf-8")
    assert MODEL_ID in html, "the manifest is not embedded"
    assert re.search(r'"type":\s*"BASE TABLE"', html), "the catalog (relation types, column types) is not embedded"


def test_customer_segments_page_shows_description_columns_and_lineage(browser, docs_warehouse, manifest):
    model = manifest["nodes"][MODEL_ID]
    page = _open(browser, docs_warehouse.static_site, f"model/{MODEL_ID}")
    try:
        problems = inspect_model_page(page, model, manifest)
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT))
        outside = list(page.outside_requests)
    finally:
        page.close()
    assert problems == {"description": [], "columns": [], "lineage": []}
    assert outside == [], "the static site requested something beyond its own file (it must work offline)"
    assert SCREENSHOT.stat().st_size > 20_000, "the screenshot is (nearly) empty"


def test_the_check_fails_on_a_page_without_them(browser, docs_warehouse, manifest):
    """A check that cannot fail is worse than none: pointed at pages that do not show
    customer_segments' description, columns and lineage, every part of it must complain."""
    model = manifest["nodes"][MODEL_ID]
    # Another model's page: its own description, columns and a lineage without customer_segments.
    page = _open(browser, docs_warehouse.static_site, "model/model.customer_tiering.time_spine_daily")
    try:
        problems = inspect_model_page(page, model, manifest)
    finally:
        page.close()
    assert all(problems.values()), problems

    # The overview page: no model description, no column table. (Its lineage graph is the whole
    # project's, which does include customer_segments and its edges, so lineage may pass there.)
    page = _open(browser, docs_warehouse.static_site, "overview")
    try:
        problems = inspect_model_page(page, model, manifest)
    finally:
        page.close()
    assert problems["description"] and problems["columns"], problems
