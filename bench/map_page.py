"""The map page in headless chromium against the API on a loaded preset (`python -m bench
map-page --preset medium`): a center whose map fills the limit (500 nodes), opened by link, and
timed from the request to every node and edge drawn (the page's own figures, read from
`window.partnerMap.stats`), then how interactive it stays: a hover's tooltip, a click's panel,
and the frame times while zooming. Each figure is the median over the runs."""

from __future__ import annotations

import asyncio
import statistics
import time
from pathlib import Path
from typing import Any

import httpx2
from neo4j import GraphDatabase
from playwright.async_api import Browser, Page, async_playwright

from api.auth import Tokens
from api.settings import Settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The best-linked partners are the likeliest to have a full two-hop map.
HUBS = """MATCH (p:Partner)-[r:CO_SELLS_WITH|REFERS_TO|INTEGRATES_WITH|SUB_PARTNER_OF]-(:Partner)
WITH p, count(r) AS links ORDER BY links DESC, p.key LIMIT 20
RETURN p.key AS key"""
MAP = """query($center: ID, $limit: Int) {
  partnerMap(center: $center, depth: 2, limit: $limit) { truncated nodes { id } edges { kind } }
}"""
ID = "query($key: String!) { partner(key: $key) { id name } }"
# The map drawn, or a refusal shown instead.
DRAWN_OR_REFUSED = """() => (window.partnerMap && window.partnerMap.drawn >= 1)
  || document.querySelector('#message').dataset.code"""
# Frame intervals for `ms` milliseconds, from requestAnimationFrame.
FRAMES = """ms => new Promise(resolve => {
  const intervals = []; let last = performance.now(); const end = last + ms;
  const tick = now => { intervals.push(now - last); last = now;
    if (now < end) requestAnimationFrame(tick); else resolve(intervals); };
  requestAnimationFrame(tick);
})"""


def pick_center(uri: str, base: str, headers: dict[str, str], limit: int) -> dict[str, Any]:
    """The first hub whose map has `limit` nodes, with its id, name and map size."""
    driver = GraphDatabase.driver(uri, auth=None, notifications_min_severity="OFF")
    try:
        keys = [record["key"] for record in driver.execute_query(HUBS, database_="neo4j").records]
    finally:
        driver.close()
    with httpx2.Client(base_url=base, headers=headers, timeout=120) as client:
        for key in keys:
            partner = client.post("/graphql", json={"query": ID, "variables": {"key": key}})
            found = partner.json()["data"]["partner"]
            variables = {"center": found["id"], "limit": limit}
            answer = client.post("/graphql", json={"query": MAP, "variables": variables}).json()
            if answer.get("errors"):
                raise SystemExit(f"partnerMap refused: {answer['errors']}")
            shape = answer["data"]["partnerMap"]
            if len(shape["nodes"]) >= limit:
                return {
                    "key": key,
                    "id": found["id"],
                    "name": found["name"],
                    "nodes": len(shape["nodes"]),
                    "edges": len(shape["edges"]),
                }
    raise SystemExit(f"no hub among {len(keys)} has a map of {limit} nodes")


async def one_run(
    browser: Browser, base: str, token: str, center: dict[str, Any]
) -> dict[str, Any]:
    context = await browser.new_context(viewport={"width": 1440, "height": 900})
    page = await context.new_page()
    try:
        began = time.perf_counter()
        await page.goto(f"{base}/map#center={center['id']}&token={token}")
        await page.wait_for_function(DRAWN_OR_REFUSED, timeout=120_000)
        wall_ms = (time.perf_counter() - began) * 1000
        if not await page.evaluate("window.partnerMap.drawn"):
            raise SystemExit(f"the page says: {await page.locator('#message').inner_text()}")
        stats: dict[str, Any] = await page.evaluate("window.partnerMap.stats")
        return {
            **stats,
            "wallMs": wall_ms,
            **await _interaction(page, center["id"]),
        }
    finally:
        await context.close()


async def _interaction(page: Page, center: str) -> dict[str, float]:
    where = await page.evaluate("id => window.partnerMap.positionOf(id)", center)
    await page.mouse.move(where["x"] - 200, where["y"] - 200)
    began = time.perf_counter()
    await page.mouse.move(where["x"], where["y"])
    await page.locator("#tooltip").wait_for(state="visible")
    hover_ms = (time.perf_counter() - began) * 1000
    began = time.perf_counter()
    await page.mouse.click(where["x"], where["y"])
    await page.locator("#panel .facts").wait_for(state="visible")
    panel_ms = (time.perf_counter() - began) * 1000
    await page.mouse.move(where["x"] + 5, where["y"] + 80)
    sampling = asyncio.ensure_future(page.evaluate(FRAMES, 2000))
    for step in range(16):
        await page.mouse.wheel(0, -240 if step < 8 else 240)
        await asyncio.sleep(0.1)
    frames = [interval for interval in await sampling if interval > 0]
    return {
        "hoverMs": hover_ms,
        "panelMs": panel_ms,
        "frameMedianMs": statistics.median(frames),
        "frameP95Ms": sorted(frames)[int(0.95 * (len(frames) - 1))],
        "frames": float(len(frames)),
    }


async def _runs(base: str, token: str, center: dict[str, Any], runs: int) -> list[dict[str, Any]]:
    async with async_playwright() as driver:
        browser = await driver.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            await one_run(browser, base, token, center)  # warm-up: caches, JIT
            done = []
            for index in range(runs):
                figures = await one_run(browser, base, token, center)
                print(
                    f"run {index + 1}: {figures['nodes']} nodes, {figures['edges']} edges: "
                    f"fetch {figures['fetchMs']:.0f} + layout {figures['layoutMs']:.0f} + draw "
                    f"{figures['drawMs']:.0f} = {figures['totalMs']:.0f} ms "
                    f"(page opened to drawn {figures['wallMs']:.0f} ms); hover "
                    f"{figures['hoverMs']:.0f} ms, panel {figures['panelMs']:.0f} ms, frames "
                    f"p50 {figures['frameMedianMs']:.1f} p95 {figures['frameP95Ms']:.1f} ms"
                )
                done.append(figures)
            return done
        finally:
            await browser.close()


def measure(uri: str, base: str, runs: int, limit: int = 500) -> dict[str, Any]:
    """Pick the center, time `runs` page loads (after one warm-up); medians and every run."""
    token = Tokens(Settings()).mint("admin", ttl=3600)
    headers = {"Authorization": f"Bearer {token}"}
    if not CHROMIUM.exists():
        raise SystemExit(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    center = pick_center(uri, base, headers, limit)
    shape = f"{center['nodes']} nodes, {center['edges']} edges"
    print(f"center {center['name']} ({center['key']}): {shape}")
    done = asyncio.run(_runs(base, token, center, runs))
    names = [name for name, value in done[0].items() if isinstance(value, int | float)]
    medians = {name: statistics.median(run[name] for run in done) for name in names}
    return {"center": center, "median": medians, "runs": done}
