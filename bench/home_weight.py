"""The home page on a slow phone connection: bytes moved and the time until the national
station layer (2,845 stations) is on the map, in headless Chromium throttled to 1.6 Mbps
down, 750 kbps up and 150 ms latency (DevTools' "Fast 3G" class), with the station layer
served as before issue 13 (uncompressed, never cached) and as now (brotli, cacheable, ETag);
a first visit and a second one with the browser's cache.

    .venv/bin/python bench/home_weight.py
"""
from __future__ import annotations

import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

THROTTLE = {"offline": False, "latency": 150, "downloadThroughput": 1_600_000 / 8,
            "uploadThroughput": 750_000 / 8}


def build_app(database: Path, compressed: bool):
    from app import create_app
    from config import Config

    class Bench(Config):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{database}"
        SECRET_KEY = "bench-only"
        COMPRESS_MIMETYPES = Config.COMPRESS_MIMETYPES if compressed else []

    app = create_app(Bench)
    if not compressed:  # as before: no ETag, no caching of the layer
        @app.after_request
        def as_before(response):
            from flask import request
            if request.path == "/api/stations":
                response.headers.pop("ETag", None)
                response.headers["Cache-Control"] = "no-cache, no-store"
            return response
    return app


def load_stations(app) -> int:
    from demo.seed import county_seats
    from dispatch.models import Station
    from extensions import db
    with app.app_context():
        db.create_all()
        if not db.session.query(Station).count():
            db.session.add_all(Station(code=p.station_code, name=f"{p.county}服务站", province=p.province,
                                       city=p.city, county=p.county, lat=p.lat, lng=p.lng, coverage_km=30.0)
                               for p in county_seats())
            db.session.commit()
        return db.session.query(Station).count()


def visit(context, url: str, count: int) -> tuple[float, int]:
    """Seconds until the map holds every station, and bytes received for the whole page."""
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", THROTTLE)
    received = {"bytes": 0}
    ours = set()
    cdp.on("Network.requestWillBeSent", lambda e: ours.add(e["requestId"])
           if e["request"]["url"].startswith(url) else None)
    cdp.on("Network.loadingFinished", lambda e: received.__setitem__(
        "bytes", received["bytes"] + (e["encodedDataLength"] if e["requestId"] in ours else 0)))
    # Map tiles are not ours and not counted (routing them away would switch the cache off).
    start = time.perf_counter()
    page.goto(url)
    page.wait_for_selector(f'#map[data-stations="{count}"]', timeout=120_000)
    seconds = time.perf_counter() - start
    page.wait_for_timeout(1000)  # the favicon and the last bytes
    page.close()
    return seconds, received["bytes"]


def main() -> None:
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    folder = Path(tempfile.mkdtemp(prefix="wenqing-weight-"))
    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable,
                                             args=["--headless", "--no-sandbox", "--disable-gpu"])
        for compressed in (False, True):
            app = build_app(folder / "bench.sqlite", compressed)
            count = load_stations(app)
            server = make_server("127.0.0.1", 0, app, threaded=True)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            url = f"http://127.0.0.1:{server.server_port}/"
            context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
            first = visit(context, url, count)
            second = visit(context, url, count)
            context.close()
            server.shutdown()
            rows.append(("now" if compressed else "before", first, second))
        browser.close()
    print(f"home page, {count} stations, 1.6 Mbps / 150 ms, 390 px")
    print(f"{'layer':8} {'first visit':>22} {'second visit':>22}")
    for name, (t1, b1), (t2, b2) in rows:
        print(f"{name:8} {b1 / 1000:8.0f} kB {t1:8.2f} s   {b2 / 1000:8.0f} kB {t2:8.2f} s")
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
