"""`partnergraph export-map`, as a user runs it: each file read back by an independent reader
(networkx's read_graphml, its GEXF reader, json) holds the nodes and edges of the API's
`partnerMap` answer for the same arguments, on generated ecosystems and on a hand-made one with
awkward names; bad arguments are exit 2 with one line and no file."""

from __future__ import annotations

import asyncio
import json
import os
import stat
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from map_files import api_edges, api_nodes, read_gexf, read_graphml, read_json, without
from support import ask, partner_rows, wipe, wipe_and_load, write_csv
from test_cli import partnergraph, partnergraph_bytes, read_in_a_thread
from typer.testing import CliRunner

from graph.analytics.network import analyze
from graph.db import Graph
from graph.ingest.load import import_bundle
from resolvers.node import encode_id

PARTNER_MAP = """
query Map(
  $center: ID, $depth: Int, $limit: Int, $filter: PartnerFilter, $minOverlap: Int,
  $maxOverlaps: Int
) {
  partnerMap(center: $center, depth: $depth, limit: $limit, filter: $filter,
             minOverlap: $minOverlap, maxOverlaps: $maxOverlaps) {
    nodes { id key label kind tier type region size sizeKnown influence community distance }
    edges { source target kind weight }
    truncated
    omittedOverlaps
  }
}
"""
NAMES = {
    "P&1": 'Müller, "Söhne" & Co — 株式会社',
    "P2": "<Angle> & 'Apostrophe'",
    "Ü3": "Zürich Ünïcode, Ltd.",
    "P4": "Lonely — no edges at all",
    "P5": "Fünf & Partner",
}


def awkward_bundle(folder: Path) -> None:
    """P&1 and P2 co-sell and share C1 and C2 (a link and an overlap between one pair); Ü3 sits
    under P&1 and shares C2; P5 refers to Ü3 and co-created S1 with P&1; P4 has nothing."""
    write_csv(folder, "partners.csv", partner_rows(NAMES, NAMES))
    write_csv(
        folder,
        "customers.csv",
        [
            ["C1", "Acme, Inc. & <Sons>", "", "Retail", "EMEA", ""],
            ["C2", 'The "Quoted" Co', "", "Finance", "NA", ""],
        ],
    )
    write_csv(
        folder,
        "accounts.csv",
        [
            ["P&1", "C1", "CUSTOMER", "", ""],
            ["P&1", "C2", "PROSPECT", "", ""],
            ["P2", "C1", "OPPORTUNITY", "", ""],
            ["P2", "C2", "CUSTOMER", "", ""],
            ["Ü3", "C2", "CUSTOMER", "", ""],
        ],
    )
    write_csv(folder, "sub_partners.csv", [["Ü3", "P&1", "", ""]])
    write_csv(
        folder,
        "partner_links.csv",
        [["P&1", "P2", "CO_SELL", "", ""], ["P5", "Ü3", "REFERRAL", "0.25", ""]],
    )
    write_csv(folder, "solutions.csv", [["S1", 'Joint "Cloud" & Co', "", ""]])
    write_csv(
        folder,
        "solution_partners.csv",
        [["S1", "P&1", "LEAD", "", ""], ["S1", "P5", "CONTRIBUTOR", "", ""]],
    )


async def load(graph: Graph, folder: Path) -> None:
    await wipe(graph)
    awkward_bundle(folder)
    result = await import_bundle(graph, folder)
    assert result.validation.ok, [str(error) for error in result.validation.errors[:5]]
    await analyze(graph)


@pytest.fixture(scope="module")
async def awkward(graph: Graph, tmp_path_factory: Any) -> AsyncIterator[None]:
    await load(graph, tmp_path_factory.mktemp("awkward-map"))
    yield
    await wipe(graph)


def flags(arguments: dict[str, Any]) -> list[str]:
    """The command line for the API's arguments."""
    line: list[str] = []
    center = arguments.get("center")
    if center is not None:
        line += ["--center", center[1]]
        if center[0] != "Partner":
            line += ["--center-kind", center[0].lower()]
    options = {"depth": "--depth", "limit": "--limit", "minOverlap": "--min-overlap"}
    for name, option in (options | {"maxOverlaps": "--max-overlaps"}).items():
        if name in arguments:
            line += [option, str(arguments[name])]
    for field, values in arguments.get("filter", {}).items():
        for value in values:
            line += [f"--{field}", str(value)]
    return line


async def api_answer(graph: Graph, arguments: dict[str, Any]) -> dict[str, Any]:
    variables = dict(arguments)
    if arguments.get("center") is not None:
        variables["center"] = encode_id(*arguments["center"])
    answer = await ask(graph, PARTNER_MAP, variables)
    assert not answer.errors, answer.errors
    result: dict[str, Any] = answer.data["partnerMap"]
    return result


async def check_every_format(
    graph: Graph, tmp_path: Path, arguments: dict[str, Any], as_user: bool = False
) -> None:
    """Each format, exported with the command line for `arguments`, against the API's answer.
    The command runs in this process (a new process costs seconds) unless `as_user`."""
    expected = await api_answer(graph, arguments)
    nodes, edges = without(api_nodes(expected), "id"), api_edges(expected)
    for form in ("json", "graphml", "gexf"):
        target = tmp_path / f"map.{form}"
        line = ["export-map", *flags(arguments), "--format", form, "--out", str(target)]
        done = partnergraph(*line) if as_user else await in_process(line)
        assert done.returncode == 0, (arguments, form, done.stderr)
        counts = [f"{len(expected[part]):,} {part[:-1]}" for part in ("nodes", "edges")]
        shown = " and ".join(f"{count}{'' if count.startswith('1 ') else 's'}" for count in counts)
        assert f"wrote {shown}" in done.stdout, done.stdout
        if form == "json":
            assert read_json(target) == expected, arguments  # the API's answer, in its order
        else:
            read = read_graphml(target) if form == "graphml" else read_gexf(target)
            assert read[0] == nodes, (arguments, form)
            assert read[1] == edges, (arguments, form)
        target.unlink()


async def in_process(line: list[str]) -> subprocess.CompletedProcess[str]:
    """The command in this process, in a thread of its own (it runs its own event loop)."""
    from api.cli import app

    result = await asyncio.to_thread(CliRunner().invoke, app, line)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return subprocess.CompletedProcess(line, result.exit_code, result.stdout, result.stderr)


AWKWARD_CASES = [
    {},
    {"center": ("Partner", "P&1"), "depth": 1},
    {"center": ("Partner", "P&1"), "depth": 3, "minOverlap": 2},
    {"center": ("Partner", "P4"), "depth": 2},
    {"center": ("Customer", "C2"), "depth": 2},
    {"center": ("Solution", "S1"), "depth": 1},
    {"limit": 3},
    {"maxOverlaps": 1},
    {"filter": {"tier": ["GOLD"], "type": ["RESELLER"]}},
]


@pytest.mark.parametrize("arguments", AWKWARD_CASES, ids=str)
async def test_awkward_names_survive_every_format(
    graph: Graph, awkward: None, tmp_path: Path, arguments: dict[str, Any]
) -> None:
    await check_every_format(graph, tmp_path, arguments)


@pytest.mark.parametrize("arguments", [{"center": ("Partner", "P&1"), "depth": 2}], ids=str)
async def test_as_a_user_runs_it(
    graph: Graph, awkward: None, tmp_path: Path, arguments: dict[str, Any]
) -> None:
    await check_every_format(graph, tmp_path, arguments, as_user=True)


async def test_the_awkward_map_holds_what_it_should(graph: Graph, awkward: None) -> None:
    """The comparison above is only as good as the map it compares: names, a lone partner and
    a pair joined twice are in it."""
    answer = await api_answer(graph, {})
    labels = {node["label"] for node in answer["nodes"]}
    assert set(NAMES.values()) <= labels
    pair = {encode_id("Partner", "P&1"), encode_id("Partner", "P2")}
    between = [edge["kind"] for edge in answer["edges"] if {edge["source"], edge["target"]} == pair]
    assert sorted(between) == ["CO_SELLS_WITH", "OVERLAP"]
    lonely = encode_id("Partner", "P4")
    assert all(lonely not in (edge["source"], edge["target"]) for edge in answer["edges"])


@pytest.mark.parametrize("seed", [4, 11])
async def test_generated_ecosystems(graph: Graph, awkward: None, tmp_path: Path, seed: int) -> None:
    folder = await wipe_and_load(graph, tmp_path / f"bundle-{seed}", seed)
    try:
        await analyze(graph)
        nodes = (await api_answer(graph, {"limit": 2000}))["nodes"]
        hub = max((node for node in nodes if node["kind"] == "Partner"), key=by_size)["key"]
        for arguments in (
            {"limit": 2000},
            {"limit": 40, "minOverlap": 2, "maxOverlaps": 10},
            {"center": ("Partner", hub), "depth": 2},
            {"center": ("Partner", hub), "depth": 1, "limit": 5},
            {"filter": {"tier": ["GOLD", "PLATINUM"]}, "minOverlap": 3},
        ):
            await check_every_format(graph, tmp_path, arguments)
    finally:
        await load(graph, folder.parent / "awkward")  # as the module's fixture left it


def by_size(node: dict[str, Any]) -> tuple[int, str]:
    return node["size"], node["key"]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--depth", "0"], "--depth"),
        (["--depth", "5"], "--depth"),
        (["--limit", "0"], "--limit"),
        (["--limit", "2001"], "--limit"),
        (["--min-overlap", "0"], "--min-overlap"),
        (["--max-overlaps", "-1"], "--max-overlaps"),
        (["--max-overlaps", "20001"], "--max-overlaps"),
        (["--format", "dot"], "'dot' is not one of graphml, gexf, json"),
        (["--type", "RESELLER,BROKER"], "'BROKER' is not one of"),
        (["--tier", "diamond"], "'DIAMOND' is not one of"),
        (["--center-kind", "deal", "--center", "P&1"], "--center-kind"),
        (["--center", "P-none"], "--center: there is no partner 'P-none'"),
        (["--center", "C-none", "--center-kind", "customer"], "there is no customer 'C-none'"),
        (["--center", "P&1", "--center-kind", "solution"], "there is no solution 'P&1'"),
        (["--center-kind", "customer"], "--center-kind names what --center is"),
        (["--center", "P\udced\udca0\udc80"], "--center: not valid UTF-8 text"),
        (["--region", "\udcff"], "--region: not valid UTF-8 text"),
    ],
)
async def test_bad_arguments_are_exit_2_and_write_nothing(
    graph: Graph, awkward: None, tmp_path: Path, args: list[str], says: str
) -> None:
    target = tmp_path / "map.graphml"
    line = ["--format", "graphml", *args] if "--format" not in args else args
    done = partnergraph("export-map", *line, "--out", str(target))
    assert done.returncode == 2, (args, done)
    assert says in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert os.listdir(tmp_path) == []


async def test_a_folder_that_is_not_there_is_exit_2(
    graph: Graph, awkward: None, tmp_path: Path
) -> None:
    target = tmp_path / "missing" / "map.json"
    done = partnergraph("export-map", "--format", "json", "--out", str(target))
    assert done.returncode == 2, done
    assert f"{target.parent} is not a folder" in done.stderr
    assert os.listdir(tmp_path) == []


async def test_a_folder_that_refuses_the_file_is_a_clear_error(graph: Graph, awkward: None) -> None:
    done = partnergraph("export-map", "--format", "json", "--out", "/proc/map.json")
    assert done.returncode == 1, done
    assert "cannot write /proc/map.json" in done.stderr
    assert ".part" not in done.stderr


async def test_a_file_there_is_replaced_whole(graph: Graph, awkward: None, tmp_path: Path) -> None:
    target = tmp_path / "map.json"
    target.write_text("old", encoding="utf-8")
    done = partnergraph("export-map", "--format", "json", "--out", str(target))
    assert done.returncode == 0, done.stderr
    assert read_json(target)["nodes"]
    failed = partnergraph("export-map", "--format", "json", "--depth", "9", "--out", str(target))
    assert failed.returncode == 2
    assert read_json(target)["nodes"]  # a refused run leaves the file as it was
    assert os.listdir(tmp_path) == ["map.json"]


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o664])
async def test_a_file_replaced_keeps_its_permissions(
    graph: Graph, awkward: None, tmp_path: Path, mode: int
) -> None:
    """A file only its owner may read stays so: the new one takes the old one's mode, through a
    link too; a new file gets what open() would give it."""
    target = tmp_path / "map.json"
    target.write_text("old", encoding="utf-8")
    target.chmod(mode)
    (tmp_path / "link.json").symlink_to(target)
    for out in (target, tmp_path / "link.json"):
        done = export_json(out)
        assert done.returncode == 0, done.stderr
        assert stat.S_IMODE(target.stat().st_mode) == mode
    fresh = tmp_path / "new.json"
    assert export_json(fresh).returncode == 0
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~umask


# Where --out points: a link is followed to its target, a device or FIFO is written as it is,
# `-` is standard output, a folder is refused.


def export_json(out: str | Path) -> subprocess.CompletedProcess[str]:
    return partnergraph("export-map", "--format", "json", "--out", str(out))


async def test_a_link_is_followed_and_stays_a_link(
    graph: Graph, awkward: None, tmp_path: Path
) -> None:
    """A chain of links: the file at its end is replaced whole, beside itself; the links stay."""
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "map.json"
    target.write_text("old", encoding="utf-8")
    (tmp_path / "first.json").symlink_to(Path("real") / "map.json")  # relative, as ln -s makes
    (tmp_path / "second.json").symlink_to(tmp_path / "first.json")
    done = export_json(tmp_path / "second.json")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "second.json").is_symlink() and (tmp_path / "first.json").is_symlink()
    assert os.readlink(tmp_path / "first.json") == str(Path("real") / "map.json")
    assert not target.is_symlink() and target.is_file()
    assert read_json(target) == await api_answer(graph, {})
    assert sorted(os.listdir(tmp_path)) == ["first.json", "real", "second.json"]
    assert os.listdir(tmp_path / "real") == ["map.json"]  # no temporary file left


async def test_a_dangling_link_writes_its_target(
    graph: Graph, awkward: None, tmp_path: Path
) -> None:
    (tmp_path / "real").mkdir()
    link = tmp_path / "map.json"
    link.symlink_to(tmp_path / "real" / "new.json")
    done = export_json(link)
    assert done.returncode == 0, done.stderr
    assert link.is_symlink()
    assert read_json(tmp_path / "real" / "new.json") == await api_answer(graph, {})
    nowhere = tmp_path / "nowhere.json"
    nowhere.symlink_to(tmp_path / "missing" / "new.json")
    refused = export_json(nowhere)
    assert refused.returncode == 2, refused
    assert f"{tmp_path / 'missing'} is not a folder" in refused.stderr
    assert sorted(os.listdir(tmp_path)) == ["map.json", "nowhere.json", "real"]


async def test_a_character_device_stays_one(graph: Graph, awkward: None, tmp_path: Path) -> None:
    """/dev/null's own device (1, 3) under another name: what --out /dev/null does to it, without
    putting the machine's /dev/null at stake should the command replace what it names."""
    null = tmp_path / "null"
    try:
        os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("making a device node needs root")
    done = export_json(null)
    assert done.returncode == 0, done.stderr
    assert stat.S_ISCHR(null.stat().st_mode) and null.stat().st_rdev == os.makedev(1, 3)
    assert os.listdir(tmp_path) == ["null"]


async def test_a_fifo_with_a_reader_gets_the_whole_file(
    graph: Graph, awkward: None, tmp_path: Path
) -> None:
    fifo = tmp_path / "map.fifo"
    os.mkfifo(fifo)
    received = read_in_a_thread(fifo)
    done = export_json(fifo)
    assert done.returncode == 0, done.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert json.loads(received()) == await api_answer(graph, {})
    assert os.listdir(tmp_path) == ["map.fifo"]


@pytest.mark.parametrize("form", ["json", "graphml", "gexf"])
async def test_dash_is_standard_output_and_nothing_else(
    graph: Graph, awkward: None, tmp_path: Path, form: str
) -> None:
    line = ["export-map", "--format", form, "--center", "P&1", "--out"]
    piped = partnergraph_bytes(*line, "-", cwd=tmp_path)  # where a file named "-" would land
    assert piped.returncode == 0, piped.stderr
    assert os.listdir(tmp_path) == []
    assert partnergraph_bytes(*line, "map", cwd=tmp_path).returncode == 0
    assert piped.stdout == (tmp_path / "map").read_bytes()
    assert b"wrote " in piped.stderr and b"to standard output" in piped.stderr


async def test_a_folder_is_refused(graph: Graph, awkward: None, tmp_path: Path) -> None:
    (tmp_path / "folder").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "folder")
    for out in (tmp_path / "folder", tmp_path / "link"):
        done = export_json(out)
        assert done.returncode == 2, done
        assert f"cannot write {out}: it is a folder" in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert os.listdir(tmp_path / "folder") == []
