"""A PNG of each chart of the report, as headless Chromium draws it from the file.

The browser is Debian's Chromium (scripts/setup_browser.sh; TIERING_CHROMIUM names another),
driven by Playwright as the docs-site test does; every request beyond the file itself is
blocked, so the pictures are exactly what a reader sees offline (DECISIONLOG D103).
"""
from __future__ import annotations

import contextlib
import os
from pathlib import Path

CHROMIUM = os.environ.get("TIERING_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]
RENDER_TIMEOUT_MS = 30_000
VIEWPORT = {"width": 1280, "height": 900}


@contextlib.contextmanager
def browser():
    """Headless Chromium (Playwright driving the system browser)."""
    if not Path(CHROMIUM).exists():
        raise FileNotFoundError(f"no Chromium at {CHROMIUM}: run scripts/setup_browser.sh (make report does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def open_offline(chromium, report: Path):
    """A page with the report open and every chart drawn. Requests beyond the file are aborted and
    listed in `page.outside_requests`; console errors and page errors in `page.errors`."""
    context = chromium.new_context(viewport=VIEWPORT, device_scale_factor=1, offline=True)
    page = context.new_page()
    page.outside_requests, page.errors = [], []

    def route(request_route):
        url = request_route.request.url
        if url.startswith(("file:", "data:", "blob:")):
            request_route.continue_()
        else:
            page.outside_requests.append(url)
            request_route.abort()

    page.route("**/*", route)
    page.on("console", lambda message: page.errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.goto(report.resolve().as_uri())
    page.wait_for_function("() => document.body && document.body.dataset.rendered", timeout=RENDER_TIMEOUT_MS)
    return page


def export(report: Path, out_dir: Path) -> list[Path]:
    """`<chart>.png` for each chart and `report.png` (the first screen) in out_dir; the paths written."""
    written = []
    with browser() as chromium:
        page = open_offline(chromium, report)
        try:
            if page.evaluate("document.body.dataset.rendered") != "true":
                raise RuntimeError(f"the report did not render: {page.errors}")
            page.screenshot(path=str(out_dir / "report.png"))
            written.append(out_dir / "report.png")
            for chart in page.locator(".chart").all():
                path = out_dir / f"{chart.get_attribute('data-chart')}.png"
                chart.screenshot(path=str(path))
                written.append(path)
        finally:
            page.context.close()
    return written
