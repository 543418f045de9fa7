"""`partnergraph import`, run as a user runs it: its options and what it prints."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from support import counts, write_csv

from graph.db import Graph

PARTNER = ["P1", "One", "RESELLER", "GOLD", "", "", "", "", ""]


def partnergraph(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def test_rejects_without_skip_invalid_is_refused(tmp_path: Path) -> None:
    write_csv(tmp_path, "partners.csv", [PARTNER])
    done = partnergraph("import", str(tmp_path), "--rejects", str(tmp_path / "r.csv"))
    assert done.returncode == 2
    assert "--skip-invalid" in done.stderr
    assert not (tmp_path / "r.csv").exists()


async def test_an_unknown_file_is_named_with_the_near_name_and_may_be_allowed(
    empty_graph: Graph, tmp_path: Path
) -> None:
    write_csv(tmp_path, "partners.csv", [PARTNER])
    write_csv(tmp_path, "deal.csv", [], header=["key"])
    done = partnergraph("import", str(tmp_path))
    assert done.returncode == 1
    assert "deal.csv" in done.stderr and "did you mean deals.csv?" in done.stderr
    assert "--ignore-unknown-files" in done.stderr
    assert await counts(empty_graph) == {}
    done = partnergraph("import", str(tmp_path), "--ignore-unknown-files")
    assert done.returncode == 0, done.stderr
    assert await counts(empty_graph) == {"Partner": 1}


async def test_the_rows_that_need_a_rejected_partner_are_counted_not_listed(
    empty_graph: Graph, tmp_path: Path
) -> None:
    write_csv(
        tmp_path,
        "partners.csv",
        [PARTNER, ["P3", "Three", "RESELLER", "DIAMOND", "", "", "", "", ""]],
    )
    write_csv(tmp_path, "customers.csv", [[f"C{i}", f"N{i}", "", "", "", ""] for i in range(40)])
    write_csv(tmp_path, "accounts.csv", [["P3", f"C{i}", "CUSTOMER", "", ""] for i in range(40)])
    done = partnergraph("import", str(tmp_path))
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert sum("DIAMOND" in line for line in lines) == 1
    assert sum("itself rejected" in line for line in lines) == 3
    assert "… and 37 more rows referring to partner 'P3', rejected with it" in lines
    assert "nothing written: 41 bad rows" in done.stderr


def test_a_folder_without_partners_csv_says_so_and_nothing_else(tmp_path: Path) -> None:
    write_csv(tmp_path, "customers.csv", [["C1", "One", "", "", "", ""]])
    done = partnergraph("import", str(tmp_path))
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "partners.csv: required file is missing",
        "nothing written: the bundle cannot be read as it is",
    ]


def test_a_broken_link_in_the_bundle_is_named(tmp_path: Path) -> None:
    write_csv(tmp_path, "partners.csv", [PARTNER])
    (tmp_path / "deals.csv").symlink_to(tmp_path / "old" / "deals.csv")
    done = partnergraph("import", str(tmp_path))
    assert done.returncode == 1
    assert done.stderr.splitlines()[0].startswith("deals.csv: is a link to a file that does not")


async def test_a_rejects_file_that_is_a_bundle_file_is_refused_and_the_file_kept(
    empty_graph: Graph, tmp_path: Path
) -> None:
    bundle = write_csv(tmp_path, "partners.csv", [PARTNER, ["P2", "Two", "MSP", "NOPE"] + [""] * 5])
    before = bundle.read_text()
    (tmp_path / "link.csv").symlink_to(bundle)
    for target in (bundle, tmp_path / "link.csv"):
        done = partnergraph("import", str(tmp_path), "--skip-invalid", "--rejects", str(target))
        assert done.returncode == 2, done.stderr
        assert done.stderr.strip().splitlines() == [
            f"error: Invalid value for --rejects: {target} is partners.csv of the bundle; "
            "give another file (see --help)"
        ]
        assert bundle.read_text() == before
    assert await counts(empty_graph) == {}


def test_a_rejects_file_that_is_a_folder_is_a_usage_error(tmp_path: Path) -> None:
    write_csv(tmp_path / "bundle", "partners.csv", [PARTNER])
    (tmp_path / "rejects").mkdir()
    done = partnergraph(
        "import", str(tmp_path / "bundle"), "--skip-invalid", "--rejects", str(tmp_path / "rejects")
    )
    assert done.returncode == 2, done.stderr
    assert "--rejects" in done.stderr and "is a directory" in done.stderr


async def test_one_bad_row_is_one_bad_row(empty_graph: Graph, tmp_path: Path) -> None:
    write_csv(tmp_path / "b", "partners.csv", [["P1", "One", "MSP", "NOPE"] + [""] * 5])
    done = partnergraph("import", str(tmp_path / "b"))
    assert "nothing written: 1 bad row (use" in done.stderr
    rejects = tmp_path / "r.csv"
    done = partnergraph("import", str(tmp_path / "b"), "--skip-invalid", "--rejects", str(rejects))
    assert done.returncode == 0, done.stderr
    assert f"1 bad row written to {rejects}" in done.stdout


async def test_one_row_written_is_one_row(empty_graph: Graph, tmp_path: Path) -> None:
    write_csv(tmp_path, "partners.csv", [PARTNER])
    done = partnergraph("import", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert ", wrote 1 row in " in done.stdout
    assert await counts(empty_graph) == {"Partner": 1}
