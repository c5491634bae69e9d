"""A live server and a headless Chromium (Debian's, driven by Playwright) for browser tests.

Every page a test opens, in `page` or in a context the test makes itself, is watched for
Content-Security-Policy violations: a test whose pages broke the policy fails, listing them.
"""
import re
import shutil
import struct
import threading
import zlib

import pytest
from werkzeug.serving import make_server

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def pytest_collection_modifyitems(items):
    for item in items:
        item.add_marker("browser")


@pytest.fixture
def live_server(app):
    """The test app served on a free loopback port, CSRF on as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import expect, sync_playwright
    # An assertion waits as long as an action (page.set_default_timeout): Playwright's own 5 s
    # is tight while the PostgreSQL pass of `make test` runs on the other core.
    expect.set_options(timeout=10_000)
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.fail("Chromium is missing: run `bash scripts/ensure-chromium.sh` (make test does)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# The page reports each violation where the test can hear it (the console), whatever
# Chromium itself logs about it.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP violation: ${e.effectiveDirective} refused ${e.blockedURI || "inline"}`
                + ` in ${e.sourceFile || e.documentURI}:${e.lineNumber}` + (e.sample ? ` (${e.sample})` : ""));
}, true);
"""
CSP_MESSAGE = re.compile(r"CSP violation|Content Security Policy|Refused to (load|execute|apply|connect|frame)")
# Map tiles come from the internet, which tests do not reach: each is answered at once with
# a plain grey tile (so a screenshot shows the map; the CSP still judges the request first).
TILE_URL = re.compile(r"^https?://([^/]+\.)?tile\.openstreetmap\.org/")


def grey_tile() -> bytes:
    """A 256×256 grey PNG, written by hand (no imaging library needed)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    rows = b"".join(b"\x00" + b"\xe4" * 256 for _ in range(256))  # 8-bit greyscale
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 256, 256, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


TILE = grey_tile()


class CspWatch:
    """Collects the CSP violations of every context it watches."""

    def __init__(self):
        self.violations: list[str] = []
        self.contexts = []

    def watch(self, context):
        context.add_init_script(REPORT_CSP_VIOLATIONS)
        context.on("console", self._heard)
        context.route(TILE_URL, lambda route: route.fulfill(status=200, content_type="image/png",
                                                            body=TILE))
        self.contexts.append(context)
        return context

    def _heard(self, message):
        if message.type in ("error", "warning") and CSP_MESSAGE.search(message.text):
            where = message.page.url if message.page else "?"
            self.violations.append(f"{where}: {message.text}")

    def settle(self):
        """Let reports already sent by open pages arrive before judging."""
        for context in self.contexts:
            for open_page in context.pages:
                try:
                    open_page.evaluate("0")
                except Exception:  # a page closing as the test ends has nothing more to say
                    pass


@pytest.fixture(autouse=True)
def csp_watch(browser, monkeypatch):
    """Every context made during the test is watched; the test fails on any violation."""
    watch = CspWatch()
    new_context = browser.new_context
    monkeypatch.setattr(browser, "new_context",
                        lambda *args, **kwargs: watch.watch(new_context(*args, **kwargs)))
    yield watch
    watch.settle()
    monkeypatch.undo()
    for context in watch.contexts:
        context.close()  # also those a test opened itself and left open
    if watch.violations:
        pytest.fail("the pages broke the Content-Security-Policy:\n  "
                    + "\n  ".join(dict.fromkeys(watch.violations)), pytrace=False)


@pytest.fixture
def page(browser, live_server, csp_watch):
    context = browser.new_context(base_url=live_server, viewport={"width": 390, "height": 844},
                                  locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    csp_watch.settle()
    context.close()


@pytest.fixture
def sign_in():
    """Sign `email` in on `page` through the real form (CSRF on)."""
    def sign(page, email, password="correct-horse-battery"):
        page.goto("/login")
        page.fill("#email", email)
        page.fill("#password", password)
        page.click("main form button[type=submit]")
    return sign
