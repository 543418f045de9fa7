"""The map page in a real browser (Debian's chromium, driven by playwright) against the real API
on the test Neo4j, with a generated ecosystem loaded: a token, a search, the map drawn, a
node's details, a path, and the refusals. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import pytest
from page_support import CHROMIUM, CHROMIUM_ARGS, decode_png, missing_chromium, served
from playwright.async_api import Browser, ConsoleMessage, Page, async_playwright
from playwright.async_api import TimeoutError as PlaywrightTimeout
from support import wipe
from tokens import signed

from api.auth import Tokens
from api.settings import Settings
from graph.analytics.network import analyze
from graph.db import Graph
from graph.ingest.generate import Preset, generate
from graph.ingest.load import import_bundle

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CANVAS = (0xF8, 0xFA, 0xFC)  # the stage's background (--canvas in style.css)
MAP = """query($center: ID, $depth: Int, $limit: Int, $minOverlap: Int) {
  partnerMap(center: $center, depth: $depth, limit: $limit, minOverlap: $minOverlap) {
    truncated nodes { id key label kind distance } edges { source target kind weight }
  }
}"""
PATHS = "query($from: ID!, $to: ID!) { influencePaths(from: $from, to: $to, first: 3) { hops steps { node { id } } } }"
TOP = "query($p: ID!) { topOverlaps(partner: $p, first: 5) { count } }"
REVIEW = """query($key: String!) { partner(key: $key) {
  tierReview { current qualified change wonDeals nextTier } } }"""
CENTER = """MATCH (p:Partner)
OPTIONAL MATCH (p)-[r:CO_SELLS_WITH|REFERS_TO|INTEGRATES_WITH|SUB_PARTNER_OF]-(:Partner)
WITH p, count(r) AS links
RETURN p.key AS key, p.name AS name ORDER BY links DESC, p.key LIMIT 1"""
pytestmark = pytest.mark.timeout(180)


@dataclass(frozen=True)
class Site:
    base: str
    admin: str
    settings: Settings
    center_key: str
    center_name: str

    def ask(self, query: str, variables: dict[str, Any], token: str | None = None) -> Any:
        response = httpx2.post(
            f"{self.base}/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {token or self.admin}"},
            timeout=60,
        )
        return response.json()

    def center_id(self) -> str:
        found = self.ask("query($k: String!) { partner(key: $k) { id } }", {"k": self.center_key})
        return str(found["data"]["partner"]["id"])


@pytest.fixture(scope="module")
async def site(
    graph: Graph, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Site]:
    folder = tmp_path_factory.mktemp("map-ecosystem")
    await wipe(graph)
    generate(Preset(partners=120, customers=1_200), 11, folder)
    result = await import_bundle(graph, folder)
    assert result.validation.ok, [str(error) for error in result.validation.errors[:5]]
    await analyze(graph)
    [center] = await graph.read(CENTER)
    admin = Tokens(settings).mint("admin", ttl=3600)
    try:
        with served(settings) as base:
            yield Site(base, admin, settings, center["key"], center["name"])
    finally:
        await wipe(graph)


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    problem = missing_chromium()
    if problem:
        pytest.fail(problem)
    async with async_playwright() as driver:
        launched = await driver.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield launched
        await launched.close()


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    """A fresh tab (its own session storage); it fails its test on a script error or a
    Content Security Policy violation."""
    context = await browser.new_context(viewport={"width": 1440, "height": 900})
    tab = await context.new_page()
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            problems.append(message.text)

    tab.on("console", on_console)
    tab.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
    yield tab
    await context.close()
    assert not problems, problems


async def shot(page: Page, name: str) -> bytes:
    ARTIFACTS.mkdir(exist_ok=True)
    return await page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


async def enter_token(page: Page, site: Site, token: str | None = None) -> None:
    await page.goto(f"{site.base}/map")
    await page.locator("#token-input").fill(token or site.admin)
    await page.locator("#token-form button[type=submit]").click()
    await page.locator("#forget-token").wait_for()


async def wait_drawn(page: Page, times: int) -> dict[str, Any]:
    await page.wait_for_function(
        "n => window.partnerMap && window.partnerMap.drawn >= n", arg=times
    )
    stats: dict[str, Any] = await page.evaluate("window.partnerMap.stats")
    return stats


async def search_center(page: Page, site: Site) -> None:
    """Type the center's name, go down the suggestions to it with the keyboard, press enter."""
    search = page.locator("#search")
    await search.fill(site.center_name[:-1])
    await search.press_sequentially(site.center_name[-1])
    options = page.locator("#search-hits li[role=option]")
    await options.first.wait_for()
    names = [
        name.strip() for name in await page.locator("#search-hits .hit-name").all_inner_texts()
    ]
    assert site.center_name in names, names
    for _ in range(names.index(site.center_name)):
        await search.press("ArrowDown")
    selected = page.locator("#search-hits li[aria-selected=true] .hit-name")
    assert (await selected.inner_text()).strip() == site.center_name
    await search.press("Enter")


UNDER = "p => document.elementFromPoint(p.x, p.y)?.closest('#map') !== null"


async def point_at(page: Page, nodes: list[dict[str, Any]]) -> tuple[dict[str, Any], Any]:
    """The first of `nodes` that the mouse can reach on the map (not under the legend or a
    larger node): hovering it shows its own tooltip. The node and where it is."""
    for node in nodes:
        where = await page.evaluate("id => window.partnerMap.positionOf(id)", node["id"])
        if not where or not await page.evaluate(UNDER, where):
            continue
        await page.mouse.move(where["x"], where["y"])
        tooltip = page.locator("#tooltip")
        try:
            await tooltip.wait_for(timeout=2_000)
        except PlaywrightTimeout:
            continue
        if (await tooltip.locator("strong").inner_text()).strip() == node["label"]:
            return node, where
    raise AssertionError("no node of the map can be pointed at")


def shown_counts(text: str) -> tuple[int, int]:
    found = re.search(r"([\d,]+) nodes · ([\d,]+) edges", text)
    assert found, text
    return int(found[1].replace(",", "")), int(found[2].replace(",", ""))


async def drawn_centered(page: Page, site: Site) -> dict[str, Any]:
    await enter_token(page, site)
    first = await wait_drawn(page, 1)  # the whole ecosystem first, without a center
    assert first["nodes"] > 0
    await search_center(page, site)
    await page.locator(".chip strong", has_text=site.center_name).wait_for()
    return await wait_drawn(page, 2)


async def test_a_searched_partner_is_drawn_with_the_api_s_nodes(page: Page, site: Site) -> None:
    stats = await drawn_centered(page, site)
    answer = site.ask(MAP, {"center": site.center_id(), "depth": 2, "limit": 500, "minOverlap": 1})
    assert "errors" not in answer, answer
    expected = answer["data"]["partnerMap"]
    counts = await page.locator("#counts").inner_text()
    assert shown_counts(counts) == (len(expected["nodes"]), len(expected["edges"]))
    assert stats["nodes"] == len(expected["nodes"]) > 1
    assert ("truncated" in counts) == expected["truncated"]
    pixels = decode_png(await page.locator("#map").screenshot())
    assert pixels.share_unlike(CANVAS) > 0.01, "the map's canvas is blank"
    assert len(pixels.colours()) > 12, "the map is drawn in too few colours to show tiers"
    await shot(page, "map-ego")
    legend = await page.locator("#legend").text_content() or ""
    assert "Tier" in legend and "Links" in legend


async def test_hover_shows_a_tooltip_and_a_click_the_details(page: Page, site: Site) -> None:
    await drawn_centered(page, site)
    center = {"id": site.center_id(), "label": site.center_name}
    _, where = await point_at(page, [center])
    tooltip = page.locator("#tooltip")
    assert site.center_name in await tooltip.inner_text()
    assert "Accounts:" in await tooltip.inner_text()
    await page.mouse.click(where["x"], where["y"])
    panel = page.locator("#panel")
    await panel.locator("h2", has_text=site.center_name).wait_for()
    await panel.locator(".facts dt", has_text="Key").wait_for()
    assert site.center_key in await panel.locator(".facts").inner_text()
    top = site.ask(TOP, {"p": site.center_id()})["data"]["topOverlaps"]
    if top:
        await panel.locator(".overlap-list li").first.wait_for()
        assert await panel.locator(".overlap-list li").count() == len(top)
    review = site.ask(REVIEW, {"key": site.center_key})["data"]["partner"]["tierReview"]
    judged = panel.locator(".tier-review .facts")
    await judged.wait_for()
    said = await judged.inner_text()
    was = review["current"].title()
    moved = {"UPGRADE": f"up from {was}", "DOWNGRADE": f"down from {was}", "HOLD": "holds"}
    assert f"{review['qualified'].title()} ({moved[review['change']]})" in said, said
    deals = review["wonDeals"]
    assert f"{deals:,} won deal{'' if deals == 1 else 's'}" in said, said
    if review["nextTier"]:
        assert f"To {review['nextTier'].title()}" in said, said
    await shot(page, "map-panel")


async def test_two_picked_nodes_show_their_best_path_highlighted(page: Page, site: Site) -> None:
    await drawn_centered(page, site)
    center = site.center_id()
    answer = site.ask(MAP, {"center": center, "depth": 2, "limit": 500, "minOverlap": 1})
    nodes = answer["data"]["partnerMap"]["nodes"]
    far = [n for n in nodes if n["distance"] == 2] + [n for n in nodes if n["distance"] == 1]
    for ends in ([n for n in nodes if n["id"] == center], far):
        target, where = await point_at(page, ends)
        await page.keyboard.down("Shift")
        await page.mouse.click(where["x"], where["y"])
        await page.keyboard.up("Shift")
        await page.wait_for_timeout(400)  # two clicks, not a double click
    expected = site.ask(PATHS, {"from": center, "to": target["id"]})["data"]["influencePaths"]
    assert expected, "the generated ecosystem has no path to a node two hops away"
    panel = page.locator("#panel")
    await panel.locator(".path-list li").first.wait_for()
    assert await panel.locator(".path-list li").count() == len(expected)
    assert target["label"] in await panel.locator(".pick-name").last.inner_text()
    best = [step["node"]["id"] for step in expected[0]["steps"]]
    assert sorted(await page.evaluate("window.partnerMap.highlighted()")) == sorted(best)
    await page.wait_for_timeout(600)  # the camera moves onto the path
    await shot(page, "map-path")


async def test_an_expired_token_says_so_and_asks_for_a_new_one(page: Page, site: Site) -> None:
    now = int(time.time())
    expired = signed(site.settings, iat=now - 120, exp=now - 60)
    await page.goto(f"{site.base}/map#token={expired}")
    message = page.locator("#message")
    await message.wait_for()
    await page.wait_for_function(
        "() => document.querySelector('#message').dataset.code === 'UNAUTHENTICATED'"
    )
    assert "token missing or expired — paste a new one" in (await message.inner_text()).lower()
    await page.locator("#token-input").wait_for()
    assert "token=" not in page.url  # the fragment is taken out of the address bar
    assert await page.evaluate("sessionStorage.length") == 0  # and the refused token forgotten
    await shot(page, "map-expired")


async def test_without_a_token_the_page_asks_for_one(page: Page, site: Site) -> None:
    await page.goto(f"{site.base}/map")
    await page.locator("#token-input").wait_for()
    assert "Paste a bearer token" in await page.locator("#message").inner_text()


async def test_a_forgotten_token_leaves_the_tab(page: Page, site: Site) -> None:
    await page.goto(f"{site.base}/map#token={site.admin}")
    await page.locator("#forget-token").wait_for()
    assert page.url.endswith("/map")
    assert await page.evaluate("sessionStorage.length") == 1
    await page.locator("#forget-token").click()
    await page.locator("#token-input").wait_for()
    assert await page.evaluate("sessionStorage.length") == 0


async def test_overlaps_not_granted_to_a_partner_say_so(page: Page, site: Site) -> None:
    token = Tokens(site.settings).mint("partner", partner=site.center_key, ttl=3600)
    answer = site.ask(MAP, {"center": site.center_id(), "depth": 1, "limit": 500}, token)
    refused = [
        {"id": node["id"], "label": node["label"]}
        for node in answer["data"]["partnerMap"]["nodes"]
        if node["kind"] == "Partner"
        and node["key"] != site.center_key
        and "errors" in site.ask(TOP, {"p": node["id"]}, token)
    ]
    assert refused, "every partner near the center shares its overlaps"
    await enter_token(page, site, token)
    await wait_drawn(page, 1)
    await search_center(page, site)
    await wait_drawn(page, 2)
    await page.locator("#depth").select_option("1")
    await wait_drawn(page, 3)
    node, where = await point_at(page, refused)
    await page.mouse.click(where["x"], where["y"])
    await page.locator("#panel h2", has_text=node["label"]).wait_for()
    notice = page.locator("#panel .overlaps .notice[data-code=FORBIDDEN]")
    await notice.wait_for()
    assert "Not shared with you" in await notice.inner_text()
    review = page.locator("#panel .tier-review .notice[data-code=FORBIDDEN]")
    await review.wait_for()  # another partner's tier review is its own
    assert "tier review is its own" in await review.inner_text()
    await shot(page, "map-forbidden")


async def test_a_bad_argument_shows_the_api_s_message(page: Page, site: Site) -> None:
    await enter_token(page, site)
    await wait_drawn(page, 1)
    await page.locator("#limit").fill("5000")
    await page.locator("#draw").click()
    await page.wait_for_function(
        "() => document.querySelector('#message').dataset.code === 'BAD_USER_INPUT'"
    )
    assert "limit" in (await page.locator("#message").inner_text()).lower()
