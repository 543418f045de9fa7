"""Only graph/ knows the database driver: nothing above it imports neo4j."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_only_graph_imports_the_driver() -> None:
    above = [ROOT / package for package in ("api", "resolvers", "loaders")]
    offenders = [
        str(path.relative_to(ROOT))
        for folder in above
        for path in sorted(folder.rglob("*.py"))
        if "neo4j" in _imports(path)
    ]
    assert offenders == []
