"""The documentation site, built as `make docs` builds it (strict: a broken link or a
warning fails), opened in a real headless Chromium: the home page, an API page and a
notebook page load with no console error and no request leaving the machine, and the
search finds a class by name."""

import functools
import http.server
import subprocess
import sys
import threading

import pytest

from chromium import MARKS, launched
from repository import ROOT

SITE = ROOT / "site"
pytestmark = MARKS
playwright = pytest.importorskip("playwright.sync_api")
pytest.importorskip("mkdocs")


def build_site() -> None:
    """What `make docs` does: the notebooks run with their small budget (kept while
    their source is unchanged), then the strict build."""
    subprocess.run([sys.executable, str(ROOT / "docs" / "run_notebooks.py")], check=True)
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(SITE)],
        cwd=ROOT,
        check=True,
    )


@pytest.fixture(scope="module")
def site_url():
    if not (SITE / "index.html").exists():
        build_site()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(SITE))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


browser = launched(playwright)


def visit(browser, url):
    """Open ``url``: (the page, its console errors, the hosts of every request)."""
    page = browser.new_page()
    errors, hosts = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: hosts.append(r.url.split("/")[2] if "://" in r.url else r.url))
    page.goto(url, wait_until="networkidle")
    return page, errors, hosts


@pytest.mark.parametrize(
    "path, text",
    [
        ("index.html", "A laboratory for activation functions"),
        ("api/engine.html", "GatedLinear"),
        ("examples/s0_blobs.html", "blobs"),
        ("cli.html", "actinit reproduce"),
    ],
)
def test_pages_load_offline_without_errors(browser, site_url, path, text):
    page, errors, hosts = visit(browser, f"{site_url}/{path}")
    assert text in page.content()
    assert not errors, errors
    local = site_url.split("/")[2]
    assert set(hosts) <= {local}, f"requests left the machine: {set(hosts) - {local}}"
    page.close()


def test_a_notebook_page_shows_its_outputs(browser, site_url):
    page, _, _ = visit(browser, f"{site_url}/examples/s0_blobs.html")
    assert page.locator("img[src^='data:image/png']").count() >= 1, "pictures inline"
    page.close()


def _search_until_found(page, words: str) -> str:
    search = page.locator("input.md-search__input")
    for _ in range(20):  # the search index loads in a worker: ask again until it answers
        search.fill("")
        search.press_sequentially(words)
        try:
            page.wait_for_selector(".md-search-result__item", timeout=1000)
            break
        except playwright.TimeoutError:
            continue
    return page.inner_text(".md-search-result")


def test_search_finds_a_class_by_name(browser, site_url):
    page, errors, _ = visit(browser, f"{site_url}/index.html")
    assert "GatedLinear" in _search_until_found(page, "GatedLinear")
    assert not errors, errors
    page.close()


def test_the_site_from_the_disk_says_how_to_search(browser, site_url):
    """site/index.html opened from the disk left search on "Initializing search" for
    ever (a file:// page cannot start the search worker): the box says to serve the
    site, as the README and `make docs` do; served, search works (above)."""
    page = browser.new_page()
    page.goto((SITE / "index.html").as_uri(), wait_until="load")
    box = page.locator("input.md-search__input")
    assert "python -m http.server -d site" in box.get_attribute("placeholder")
    page.close()
    readme = (ROOT / "README.md").read_text()
    assert "python -m http.server -d site" in readme
    assert "python -m http.server -d site" in (ROOT / "Makefile").read_text()


def test_api_pages_show_signatures_links_and_code_not_raw_roles(site_url):
    """244 raw reST roles (":class:NetClassifier") showed as text, examples as nested
    quotes, and no signature gave the estimators' defaults."""
    import html
    import re

    raw = {}
    for page in SITE.rglob("*.html"):
        text = html.unescape(re.sub(r"<[^>]+>", "", page.read_text()))
        found = re.findall(r":(?:class|func|meth|mod|attr|data|exc|obj):`", text)
        if found:
            raw[str(page.relative_to(SITE))] = len(found)
    assert not raw, raw
    estimators = (SITE / "api" / "sklearn.html").read_text()
    plain = html.unescape(re.sub(r"<[^>]+>", "", estimators))
    assert re.search(r"hidden: tuple\[int, \.\.\.\] = \(16,\)", plain)
    assert 'class="language-pycon"' in estimators and "&gt;&gt;&gt; from actinit" in estimators
    assert "blockquote" not in estimators
    engine = (SITE / "api" / "engine.html").read_text()
    assert engine.count("autorefs-internal") > 50  # cross-references are links
