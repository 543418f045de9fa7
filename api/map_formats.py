"""A partner map as a file for analysts' tools: GraphML (Cytoscape, Gephi, yEd), GEXF 1.3
(Gephi) and JSON in the shape of the API's `partnerMap` answer.

Every node is named by its API global id, so the three files and the API name a node alike;
its fields keep the API's names. A field without a value is left out of the XML formats (and is
null in JSON). Edges keep their order and their multiplicity: two partners that are linked and
also overlap have two edges. Both XML formats hold a directed graph: every edge runs from
`source` to `target` as the API gives them, an OVERLAP edge too, and its `kind` says what it is.
A mixed GEXF graph (OVERLAP undirected) is what Gephi would take, but networkx's read_gexf
refuses any graph with both kinds of edge, and Gephi refuses the one edge type that would be
both ("mutual"); so the GEXF graph declares itself directed, each edge says so too, and each
carries its kind as GEXF 1.3's `kind`, by which Gephi keeps two edges between one pair apart.

Text that XML 1.0 cannot hold (control characters other than tab and line breaks) is written as
U+FFFD so that the file stays readable; tab and line breaks are written as character references.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any, TextIO

from graph.analytics.partner_map import MapEdge, MapNode, MapSlice
from graph.messages import number_of
from resolvers.node import encode_id

FORMATS = ("graphml", "gexf", "json")

# (name, GraphML type, value) of every node field after `id`, in the order of the API's type.
NODE_FIELDS: list[tuple[str, str, Callable[[MapNode], Any]]] = [
    ("key", "string", lambda node: node.key),
    ("label", "string", lambda node: node.label),
    ("kind", "string", lambda node: node.kind),
    ("tier", "string", lambda node: node.tier),
    ("type", "string", lambda node: node.type),
    ("region", "string", lambda node: node.region),
    ("size", "int", lambda node: node.size),
    ("sizeKnown", "boolean", lambda node: node.size_known),
    ("influence", "double", lambda node: node.influence),
    ("community", "int", lambda node: node.community),
    ("distance", "int", lambda node: node.distance),
]
GEXF_TYPES = {"string": "string", "int": "integer", "boolean": "boolean", "double": "double"}
# Characters XML 1.0 refuses anywhere (and lone surrogates, which UTF-8 cannot encode).
REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
ESCAPES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "\t": "&#9;",
    "\n": "&#10;",
    "\r": "&#13;",
}
SPECIAL = re.compile('[&<>"\t\n\r]')


def node_id(kind: str, key: str) -> str:
    return encode_id(kind, key)


def write(found: MapSlice, form: str, handle: TextIO) -> None:
    """Write the map in `form` (one of FORMATS)."""
    writers = {"graphml": graphml, "gexf": gexf, "json": lambda slice_: [as_json(slice_)]}
    for text in writers[form](found):
        handle.write(text)


def as_json(found: MapSlice) -> str:
    answer = {
        "nodes": [json_node(node) for node in found.nodes],
        "edges": [json_edge(edge) for edge in found.edges],
        "truncated": found.truncated,
        "omittedOverlaps": found.omitted_overlaps,
    }
    return json.dumps(answer, ensure_ascii=False, indent=1) + "\n"


def json_node(node: MapNode) -> dict[str, Any]:
    return {"id": node_id(node.kind, node.key)} | {
        name: value(node) for name, _, value in NODE_FIELDS
    }


def json_edge(edge: MapEdge) -> dict[str, Any]:
    return {
        "source": node_id(*edge.source),
        "target": node_id(*edge.target),
        "kind": edge.kind,
        "weight": float(edge.weight),
    }


def graphml(found: MapSlice) -> Iterator[str]:
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield (
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        ' xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns'
        ' http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n'
    )
    for name, kind in (("truncated", "boolean"), ("omittedOverlaps", "int")):
        yield f'  <key id="graph_{name}" for="graph" attr.name="{name}" attr.type="{kind}"/>\n'
    for name, kind, _ in NODE_FIELDS:
        yield f'  <key id="node_{name}" for="node" attr.name="{name}" attr.type="{kind}"/>\n'
    for name, kind in (("kind", "string"), ("weight", "double")):
        yield f'  <key id="edge_{name}" for="edge" attr.name="{name}" attr.type="{kind}"/>\n'
    yield '  <graph id="partnerMap" edgedefault="directed">\n'
    yield f'    <data key="graph_truncated">{text(found.truncated)}</data>\n'
    yield f'    <data key="graph_omittedOverlaps">{found.omitted_overlaps}</data>\n'
    for node in found.nodes:
        data = "".join(
            f'<data key="node_{name}">{text(value(node))}</data>'
            for name, _, value in NODE_FIELDS
            if value(node) is not None
        )
        yield f'    <node id="{text(node_id(node.kind, node.key))}">{data}</node>\n'
    for number, edge in enumerate(found.edges):
        yield (
            f'    <edge id="e{number}" source="{text(node_id(*edge.source))}"'
            f' target="{text(node_id(*edge.target))}">'
            f'<data key="edge_kind">{text(edge.kind)}</data>'
            f'<data key="edge_weight">{text(edge.weight)}</data></edge>\n'
        )
    yield "  </graph>\n</graphml>\n"


def gexf(found: MapSlice) -> Iterator[str]:
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield (
        '<gexf xmlns="http://gexf.net/1.3"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        ' xsi:schemaLocation="http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd" version="1.3">\n'
    )
    yield f"  <meta><creator>partnergraph</creator><description>{description(found)}"
    yield "</description></meta>\n"
    yield '  <graph mode="static" defaultedgetype="directed">\n'
    yield '    <attributes class="node" mode="static">\n'
    for name, kind, _ in NODE_FIELDS:
        if name != "label":  # a node's own label
            yield f'      <attribute id="{name}" title="{name}" type="{GEXF_TYPES[kind]}"/>\n'
    yield "    </attributes>\n"
    yield '    <attributes class="edge" mode="static">\n'
    yield '      <attribute id="kind" title="kind" type="string"/>\n'
    yield "    </attributes>\n"
    yield "    <nodes>\n"
    for node in found.nodes:
        values = "".join(
            f'<attvalue for="{name}" value="{text(value(node))}"/>'
            for name, _, value in NODE_FIELDS
            if name != "label" and value(node) is not None
        )
        yield (
            f'      <node id="{text(node_id(node.kind, node.key))}" label="{text(node.label)}">'
            f"<attvalues>{values}</attvalues></node>\n"
        )
    yield "    </nodes>\n"
    yield "    <edges>\n"
    for number, edge in enumerate(found.edges):
        yield (
            f'      <edge id="{number}" source="{text(node_id(*edge.source))}"'
            f' target="{text(node_id(*edge.target))}" type="directed" kind="{text(edge.kind)}"'
            f' label="{text(edge.kind)}" weight="{text(edge.weight)}">'
            f'<attvalues><attvalue for="kind" value="{text(edge.kind)}"/></attvalues></edge>\n'
        )
    yield "    </edges>\n  </graph>\n</gexf>\n"


def description(found: MapSlice) -> str:
    nodes, edges = number_of(len(found.nodes), "node"), number_of(len(found.edges), "edge")
    said = f"A partner map of {nodes} and {edges}"
    if found.truncated:
        said += ", cut to its most important nodes"
    if found.omitted_overlaps:
        said += f"; {number_of(found.omitted_overlaps, 'weaker overlap edge')} left out"
    return text(said + ".")


def text(value: Any) -> str:
    """A value as XML text or attribute content: escaped, and readable by any XML 1.0 parser."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    cleaned = REFUSED.sub("\ufffd", str(value))
    return SPECIAL.sub(lambda match: ESCAPES[match.group()], cleaned)
