"""The partner-map writers on hand-built maps: each file read back by networkx or json holds the
nodes (ids, fields) and edges (source, target, kind, weight) written; awkward text survives or
is replaced, never leaving an unreadable file; parallel edges stay two edges."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
from map_files import api_edges, api_nodes, read_gexf, read_graphml, read_json, without

from api.map_formats import as_json, node_id, write
from graph.analytics.partner_map import MapEdge, MapNode, MapSlice

AWKWARD = "Müller, \"Söhne\" & <Co> — 株式会社 'quoted'"


def partner(key: str, label: str, **fields: object) -> MapNode:
    values: dict[str, object] = {
        "type": "RESELLER",
        "tier": "GOLD",
        "region": "EMEA",
        "size": 3,
        "size_known": True,
        "influence": 0.125,
        "community": 2,
        "distance": 1,
    }
    values.update(fields)
    return MapNode(kind="Partner", key=key, label=label, **values)  # type: ignore[arg-type]


def edge(source: str, target: str, kind: str, weight: float) -> MapEdge:
    return MapEdge(("Partner", source), ("Partner", target), kind, weight)


NODES = [
    partner("P&1", AWKWARD, distance=0),
    partner("P2", "Tab\tand\nnew line\r\nend", tier=None, region=None, influence=None),
    partner("P3", "Lonely, with no edges", community=None, distance=None, size=0, size_known=False),
    partner("P<4>", "Control \x01 and \x0b and \x1f chars"),
    MapNode("Customer", "C1", "Acme & Sons", None, None, "NA", 2, True, None, None, 2),
    MapNode("Solution", "S1", '"Quoted" Solution', None, None, None, 1, True, None, None, 1),
]
EDGES = [
    edge("P2", "P&1", "SUB_PARTNER_OF", 0.8),
    edge("P&1", "P2", "CO_SELLS_WITH", 0.7),
    edge("P&1", "P2", "OVERLAP", 4.0),  # linked and overlapping: two edges
    edge("P&1", "P<4>", "REFERS_TO", 0.5),
    edge("P&1", "P<4>", "INTEGRATES_WITH", 0.4),  # two directed edges the same way
    edge("P2", "P<4>", "OVERLAP", 1.0),
    MapEdge(("Partner", "P&1"), ("Solution", "S1"), "CO_CREATED", 0.7),
    MapEdge(("Partner", "P2"), ("Customer", "C1"), "HAS_ACCOUNT", 0.9),
]
MAP = MapSlice(NODES, EDGES, truncated=True, omitted_overlaps=3)
# What XML 1.0 can hold of each label: control characters other than tab and line breaks
# cannot be written at all, so they come back as U+FFFD.
READABLE = {
    node_id(node.kind, node.key): node.label.translate({1: "\ufffd", 11: "\ufffd", 31: "\ufffd"})
    for node in NODES
}


def written(tmp_path: Path, form: str, found: MapSlice = MAP) -> Path:
    path = tmp_path / f"map.{form}"
    with path.open("w", encoding="utf-8") as handle:
        write(found, form, handle)
    return path


def expected_nodes(found: MapSlice = MAP) -> dict[str, dict[str, object]]:
    nodes = without(api_nodes(read_json_of(found)), "id")
    for node, data in nodes.items():
        data["label"] = READABLE.get(node, data["label"])
    return nodes


def read_json_of(found: MapSlice) -> dict[str, object]:
    import json

    answer: dict[str, object] = json.loads(as_json(found))
    return answer


def test_json_is_the_api_shape_with_global_ids() -> None:
    answer = read_json_of(MAP)
    assert list(answer) == ["nodes", "edges", "truncated", "omittedOverlaps"]
    assert answer["truncated"] is True and answer["omittedOverlaps"] == 3
    first = answer["nodes"][0]  # type: ignore[index]
    assert first == {
        "id": node_id("Partner", "P&1"),
        "key": "P&1",
        "label": AWKWARD,
        "kind": "Partner",
        "tier": "GOLD",
        "type": "RESELLER",
        "region": "EMEA",
        "size": 3,
        "sizeKnown": True,
        "influence": 0.125,
        "community": 2,
        "distance": 0,
    }
    assert answer["edges"][2] == {  # type: ignore[index]
        "source": node_id("Partner", "P&1"),
        "target": node_id("Partner", "P2"),
        "kind": "OVERLAP",
        "weight": 4.0,
    }


def test_json_keeps_every_label_exactly(tmp_path: Path) -> None:
    answer = read_json(written(tmp_path, "json"))
    assert [node["label"] for node in answer["nodes"]] == [node.label for node in NODES]
    assert answer["nodes"][2]["community"] is None  # absent: null, as the API says it


def test_graphml_read_back_by_networkx(tmp_path: Path) -> None:
    nodes, edges, graph = read_graphml(written(tmp_path, "graphml"))
    assert nodes == expected_nodes()
    assert edges == api_edges(read_json_of(MAP))
    assert sum(edges.values()) == len(EDGES)
    assert (graph["truncated"], graph["omittedOverlaps"]) == (True, 3)
    assert "tier" not in nodes[node_id("Partner", "P2")]  # absent, not "None"
    assert nodes[node_id("Partner", "P3")]["sizeKnown"] is False


def test_graphml_declares_its_keys_with_types(tmp_path: Path) -> None:
    root = ElementTree.parse(written(tmp_path, "graphml")).getroot()
    keys = {
        (key.get("for"), key.get("attr.name")): key.get("attr.type")
        for key in root.iter("{http://graphml.graphdrawing.org/xmlns}key")
    }
    for name in ("key", "label", "kind", "type", "tier", "region"):
        assert keys["node", name] == "string"
    assert keys["node", "size"] == keys["node", "community"] == keys["node", "distance"] == "int"
    assert keys["node", "sizeKnown"] == "boolean"
    assert keys["node", "influence"] == keys["edge", "weight"] == "double"
    assert keys["edge", "kind"] == "string"
    assert "None" not in (tmp_path / "map.graphml").read_text(encoding="utf-8")


def test_gexf_read_back_by_networkx(tmp_path: Path) -> None:
    """networkx's own read_gexf takes the file (it refuses a graph mixing directed and
    undirected edges): a directed multigraph holding every edge, OVERLAP as the API gives it."""
    nodes, edges = read_gexf(written(tmp_path, "gexf"))
    assert nodes == expected_nodes()
    assert edges == api_edges(read_json_of(MAP))
    assert sum(edges.values()) == len(EDGES)
    text = (tmp_path / "map.gexf").read_text(encoding="utf-8")
    assert 'xmlns="http://gexf.net/1.3"' in text and 'version="1.3"' in text
    assert "None" not in text


def test_gexf_says_each_edge_direction_and_kind(tmp_path: Path) -> None:
    """What Gephi reads besides the attributes: the graph's and each edge's direction, and
    GEXF 1.3's edge `kind`, by which it keeps two edges between one pair apart."""
    root = ElementTree.parse(written(tmp_path, "gexf")).getroot()
    space = "{http://gexf.net/1.3}"
    (graph,) = root.iter(f"{space}graph")
    assert graph.get("defaultedgetype") == "directed"
    edges = list(root.iter(f"{space}edge"))
    assert [(one.get("type"), one.get("kind")) for one in edges] == [
        ("directed", edge.kind) for edge in EDGES
    ]


@pytest.mark.parametrize("form", ["graphml", "gexf"])
def test_xml_parsers_read_every_label(tmp_path: Path, form: str) -> None:
    """Tabs, line breaks, quotes and markup characters come back as written."""
    root = ElementTree.parse(written(tmp_path, form)).getroot()
    texts = {element.text for element in root.iter()} | {
        value for element in root.iter() for value in element.attrib.values()
    }
    assert AWKWARD in texts
    assert "Tab\tand\nnew line\r\nend" in texts
    assert "Control \ufffd and \ufffd and \ufffd chars" in texts


def test_an_empty_map(tmp_path: Path) -> None:
    empty = MapSlice([], [], truncated=False, omitted_overlaps=0)
    assert read_graphml(written(tmp_path, "graphml", empty))[:2] == ({}, {})
    assert read_gexf(written(tmp_path, "gexf", empty)) == ({}, {})
    assert read_json(written(tmp_path, "json", empty)) == {
        "nodes": [],
        "edges": [],
        "truncated": False,
        "omittedOverlaps": 0,
    }


def test_write_rejects_an_unknown_format() -> None:
    with pytest.raises(KeyError):
        write(MAP, "dot", io.StringIO())
