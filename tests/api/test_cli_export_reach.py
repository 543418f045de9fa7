"""`partnergraph export-reach`, as a user runs it: the file read back with csv is the list of
Reach.customers (staff view), names with commas, quotes and unicode survive, an unknown campaign
is exit 2 with no file left behind."""

from __future__ import annotations

import csv
import os
import stat
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from reach_cases import load_cases
from reach_oracle import Bundle, answer
from support import ask, wipe, wipe_and_load
from test_cli import partnergraph, partnergraph_bytes, read_in_a_thread

from graph.db import Graph
from resolvers.node import encode_id

HEADER = ["customer", "name", "industry", "region", "participants"]


def read_back(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def expected_rows(bundle: Bundle, key: str, depth: int, statuses: tuple[str, ...]) -> Any:
    campaign = bundle.campaigns[key]
    full = answer(
        bundle, campaign["partners"], depth, statuses, campaign["industries"], campaign["regions"]
    )
    return [HEADER] + [
        [
            c,
            bundle.customers[c]["name"],
            bundle.customers[c]["industry"],
            bundle.customers[c]["region"],
            ";".join(by),
        ]
        for c, by in full["customers"].items()
    ]


@pytest.fixture(scope="module")
async def cases(graph: Graph, tmp_path_factory: Any) -> AsyncIterator[Bundle]:
    folder: Path = tmp_path_factory.mktemp("export-cases")
    await load_cases(graph, folder)
    yield Bundle.read(folder)
    await wipe(graph)


@pytest.mark.parametrize(
    ("key", "depth", "statuses"),
    [
        ("KA", 1, ()),
        ("KA", 3, ("CUSTOMER",)),
        ("KD", 0, ()),
        ("KD", 0, ("OPPORTUNITY",)),  # one customer
        ("KE", 1, ()),
        ("KB", 2, ()),
    ],
)
async def test_the_file_is_the_list_of_reached_customers(
    graph: Graph, cases: Bundle, tmp_path: Path, key: str, depth: int, statuses: tuple[str, ...]
) -> None:
    target = tmp_path / "reach.csv"
    flags = [f"--statuses={','.join(statuses)}"] if statuses else []
    done = partnergraph("export-reach", key, "--depth", str(depth), *flags, "--out", str(target))
    assert done.returncode == 0, done.stderr
    every = statuses or ("CUSTOMER", "OPPORTUNITY", "PROSPECT")
    expected = expected_rows(cases, key, depth, every)
    assert read_back(target) == expected
    rows = len(expected) - 1
    assert f"wrote {rows:,} {'customer' if rows == 1 else 'customers'} reached by" in done.stdout


async def test_names_with_commas_quotes_and_unicode_are_quoted(
    graph: Graph, cases: Bundle, tmp_path: Path
) -> None:
    target = tmp_path / "d.csv"
    done = partnergraph("export-reach", "KD", "--depth", "0", "--out", str(target))
    assert done.returncode == 0, done.stderr
    text = target.read_text(encoding="utf-8")
    assert '"Acme, Inc."' in text and '"The ""Quoted"" Co"' in text and "株式会社" in text
    assert [row[1] for row in read_back(target)[1:]] == [
        "Acme, Inc.",
        'The "Quoted" Co',
        "Zürich Ünïcode 株式会社",
    ]


async def test_an_unknown_campaign_is_exit_2_and_leaves_no_file(
    graph: Graph, cases: Bundle, tmp_path: Path
) -> None:
    target = tmp_path / "none.csv"
    done = partnergraph("export-reach", "K-none", "--out", str(target))
    assert done.returncode == 2, done
    assert "there is no campaign 'K-none'" in done.stderr
    assert os.listdir(tmp_path) == []


async def test_a_key_that_is_not_text_is_exit_2(
    graph: Graph, cases: Bundle, tmp_path: Path
) -> None:
    target = tmp_path / "none.csv"
    done = partnergraph("export-reach", "K\udced\udca0\udc80", "--out", str(target))
    assert done.returncode == 2, done
    assert "not valid UTF-8 text" in done.stderr and "unexpected" not in done.stderr
    assert os.listdir(tmp_path) == []


async def test_a_folder_that_is_not_there_is_exit_2_before_any_work(
    graph: Graph, cases: Bundle, tmp_path: Path
) -> None:
    target = tmp_path / "missing" / "x.csv"
    done = partnergraph("export-reach", "KA", "--out", str(target))
    assert done.returncode == 2, done
    assert f"{target.parent} is not a folder" in done.stderr
    assert ".part" not in done.stderr  # the temporary file is no business of the user's
    assert os.listdir(tmp_path) == []


async def test_a_folder_that_refuses_the_file_is_a_clear_error(graph: Graph, cases: Bundle) -> None:
    done = partnergraph("export-reach", "KA", "--out", "/proc/reach.csv")  # /proc takes no files
    assert done.returncode == 1, done
    assert "cannot write /proc/reach.csv" in done.stderr
    assert ".part" not in done.stderr


async def test_bad_options_are_exit_2(graph: Graph, cases: Bundle, tmp_path: Path) -> None:
    target = tmp_path / "x.csv"
    for args in (["--depth", "6"], ["--statuses", "LOST"], ["--depth", "-1"]):
        done = partnergraph("export-reach", "KA", *args, "--out", str(target))
        assert done.returncode == 2, (args, done.stderr)
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("given", [",", "", " , "])
async def test_statuses_naming_no_status_are_refused_as_the_api_refuses_them(
    graph: Graph, cases: Bundle, tmp_path: Path, given: str
) -> None:
    api = await ask(
        graph,
        "query($k: ID!) { campaignReach(campaign: $k, statuses: []) { total } }",
        {"k": encode_id("Campaign", "KA")},
    )
    assert api.codes == ["BAD_USER_INPUT"]
    target = tmp_path / "x.csv"
    done = partnergraph("export-reach", "KA", "--statuses", given, "--out", str(target))
    assert done.returncode == 2, done
    assert "--statuses" in done.stderr and "give at least one of" in done.stderr
    assert os.listdir(tmp_path) == []


async def test_a_status_listed_twice_counts_once(
    graph: Graph, cases: Bundle, tmp_path: Path
) -> None:
    target = tmp_path / "x.csv"
    done = partnergraph(
        "export-reach",
        "KA",
        "--statuses",
        "customer,CUSTOMER",
        "--statuses",
        "Customer",
        "--out",
        str(target),
    )
    assert done.returncode == 0, done.stderr
    assert read_back(target) == expected_rows(cases, "KA", 1, ("CUSTOMER",))


async def test_generated_campaigns(graph: Graph, cases: Bundle, tmp_path: Path) -> None:
    for seed in (4, 5):
        folder = tmp_path / f"bundle-{seed}"
        await wipe_and_load(graph, folder, seed)
        bundle = Bundle.read(folder)
        for key in sorted(bundle.campaigns):
            target = tmp_path / f"{seed}-{key}.csv"
            done = partnergraph("export-reach", key, "--depth", "2", "--out", str(target))
            assert done.returncode == 0, done.stderr
            expected = expected_rows(bundle, key, 2, ("CUSTOMER", "OPPORTUNITY", "PROSPECT"))
            assert read_back(target) == expected, (seed, key)
    await load_cases(graph, tmp_path / "cases")  # as the module's fixture left it


async def test_dash_writes_the_file_to_standard_output_and_nothing_else(
    graph: Graph, cases: Bundle, tmp_path: Path
) -> None:
    """The progress bar and the summary go to stderr, so a pipe gets exactly the file's bytes;
    TTY_COMPATIBLE=1 has the bar drawn as on a terminal."""
    line = ["export-reach", "KA", "--depth", "3", "--out", "-"]
    piped = partnergraph_bytes(*line, cwd=tmp_path, env={"TTY_COMPATIBLE": "1"})  # "-" lands here
    assert piped.returncode == 0, piped.stderr
    assert os.listdir(tmp_path) == []
    target = tmp_path / "reach.csv"
    assert partnergraph("export-reach", "KA", "--depth", "3", "--out", str(target)).returncode == 0
    assert piped.stdout == target.read_bytes()
    rows = expected_rows(cases, "KA", 3, ("CUSTOMER", "OPPORTUNITY", "PROSPECT"))
    assert read_back(target) == rows
    assert f"wrote {len(rows) - 1:,} customers reached by KA to standard output" in (
        piped.stderr.decode()
    )


async def test_a_link_is_followed_and_a_fifo_written_as_it_is(
    graph: Graph, cases: Bundle, tmp_path: Path
) -> None:
    (tmp_path / "real.csv").write_text("old", encoding="utf-8")
    (tmp_path / "link.csv").symlink_to("real.csv")
    done = partnergraph("export-reach", "KD", "--depth", "0", "--out", str(tmp_path / "link.csv"))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "link.csv").is_symlink()
    assert read_back(tmp_path / "real.csv") == expected_rows(
        cases, "KD", 0, ("CUSTOMER", "OPPORTUNITY", "PROSPECT")
    )
    fifo = tmp_path / "reach.fifo"
    os.mkfifo(fifo)
    received = read_in_a_thread(fifo)
    done = partnergraph("export-reach", "KD", "--depth", "0", "--out", str(fifo))
    assert done.returncode == 0, done.stderr
    assert received() == (tmp_path / "real.csv").read_bytes()
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert sorted(os.listdir(tmp_path)) == ["link.csv", "reach.fifo", "real.csv"]


async def test_a_folder_is_refused(graph: Graph, cases: Bundle, tmp_path: Path) -> None:
    done = partnergraph("export-reach", "KA", "--out", str(tmp_path))
    assert done.returncode == 2, done
    assert f"cannot write {tmp_path}: it is a folder" in done.stderr
    assert os.listdir(tmp_path) == []
