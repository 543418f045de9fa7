// The map on screen: sigma (WebGL) drawing the graph, with hover and path highlighting done in
// sigma's reducers, so a change of emphasis redraws without touching the graph.
import Sigma from "sigma";
import type { EdgeDisplayData, NodeDisplayData } from "sigma/types";
import { type ColorBy, type EdgeAttributes, type MapGraph, type NodeAttributes, type SizeBy, applyAppearance, buildGraph, nodeColor } from "./graph";
import { layout } from "./layout";
import { DIMMED_EDGE, DIMMED_NODE, PATH_COLOR } from "./palette";
import type { InfluencePath, MapNode, PartnerMap } from "./types";

export interface ViewEvents {
  hover(node: MapNode | null, at: { x: number; y: number } | null): void;
  click(node: MapNode, shift: boolean): void;
  clickBackground(): void;
}

export interface DrawTimes {
  layoutMs: number;
  drawMs: number;
}

interface Highlight {
  nodes: Set<string>;
  edges: Set<string>;
}

const CENTER_SIZE = 10;
const DENSE_EDGES = 1000;
const LABEL_FONT = 'Inter, "Segoe UI", system-ui, -apple-system, Roboto, "Helvetica Neue", Arial, sans-serif';

export class MapView {
  private graph: MapGraph | null = null;
  private renderer: Sigma<NodeAttributes, EdgeAttributes> | null = null;
  private hovered: { id: string; neighbours: Set<string> } | null = null;
  private highlight: Highlight | null = null;
  private center: string | null = null;

  constructor(
    private readonly container: HTMLElement,
    private readonly events: ViewEvents,
  ) {}

  /** Lay out and draw a map; resolves once the browser has painted it. */
  async show(map: PartnerMap, center: string | null, colorBy: ColorBy, sizeBy: SizeBy): Promise<DrawTimes> {
    const began = performance.now();
    const graph = buildGraph(map, center);
    applyAppearance(graph, colorBy, sizeBy);
    layout(graph, { center });
    const laidOut = performance.now();
    this.graph = graph;
    this.center = center;
    this.hovered = null;
    this.highlight = null;
    const renderer = this.ensureRenderer(graph);
    // Panning and zooming a dense map in software WebGL drops to ~12 frames a second with its
    // edges drawn, ~30 without: such a map hides them while the camera moves.
    renderer.setSetting("hideEdgesOnMove", map.edges.length > DENSE_EDGES);
    renderer.getCamera().setState({ x: 0.5, y: 0.5, ratio: 1, angle: 0 });
    renderer.refresh();
    await nextPaint();
    return { layoutMs: laidOut - began, drawMs: performance.now() - laidOut };
  }

  restyle(colorBy: ColorBy, sizeBy: SizeBy): void {
    if (!this.graph) return;
    applyAppearance(this.graph, colorBy, sizeBy);
    this.renderer?.refresh();
  }

  clear(): void {
    this.renderer?.kill();
    this.renderer = null;
    this.graph = null;
  }

  has(id: string): boolean {
    return this.graph?.hasNode(id) ?? false;
  }

  nodeOf(id: string): MapNode | null {
    return this.graph?.hasNode(id) ? this.graph.getNodeAttribute(id, "node") : null;
  }

  /** Emphasise one path (dimming the rest), adding the nodes it passes that the map lacks. */
  showPath(path: InfluencePath | null, colorBy: ColorBy, hiddenRight = 0): void {
    const graph = this.graph;
    if (!graph) return;
    this.dropPathOnly();
    if (!path) {
      this.highlight = null;
      this.renderer?.refresh();
      return;
    }
    const ids = path.steps.map((step) => step.node.id);
    const reach = extent(graph) * 0.06;
    path.steps.forEach((step, index) => {
      if (graph.hasNode(step.node.id)) return;
      // Between the path's neighbours on the map (or beside the one there is), a little aside.
      const around = [ids[index - 1], ids[index + 1]]
        .filter((id): id is string => id !== undefined && graph.hasNode(id))
        .map((id) => graph.getNodeAttributes(id));
      const x = around.length ? around.reduce((sum, at) => sum + at.x, 0) / around.length : 0;
      const y = around.length ? around.reduce((sum, at) => sum + at.y, 0) / around.length : 0;
      const node: MapNode = {
        id: step.node.id,
        key: step.key,
        label: step.label,
        kind: step.kind,
        tier: null,
        type: null,
        region: null,
        size: 0,
        sizeKnown: false,
        influence: null,
        community: null,
        distance: null,
      };
      const angle = 0.9 + index * 2.1;
      graph.addNode(node.id, {
        x: x + reach * Math.cos(angle),
        y: y + reach * Math.sin(angle),
        size: 7,
        color: nodeColor(node, colorBy),
        label: node.label,
        node,
        pathOnly: true,
      });
    });
    const edges = new Set<string>();
    for (let index = 1; index < ids.length; index += 1) {
      const key = graph.addDirectedEdge(ids[index - 1] as string, ids[index] as string, {
        kind: "PATH",
        weight: 1,
        layoutWeight: 0,
        color: PATH_COLOR,
        size: 4,
        zIndex: 3,
      });
      edges.add(key);
    }
    this.highlight = { nodes: new Set(ids), edges };
    this.renderer?.refresh();
    this.frame(ids, hiddenRight);
  }

  /** Move the camera so that `ids` fill the part of the stage left of `hiddenRight` pixels. */
  private frame(ids: string[], hiddenRight: number): void {
    const renderer = this.renderer;
    if (!renderer || !ids.length) return;
    const points = ids.flatMap((id) => renderer.getNodeDisplayData(id) ?? []);
    if (!points.length) return;
    const xs = points.map((point) => point.x);
    const ys = points.map((point) => point.y);
    const { width, height } = renderer.getDimensions();
    const unit = Math.min(width, height); // at ratio 1 the framed graph's unit square fits this
    const usable = Math.max(120, width - hiddenRight);
    const span = Math.max(
      ((Math.max(...xs) - Math.min(...xs)) * unit) / usable,
      ((Math.max(...ys) - Math.min(...ys)) * unit) / height,
    );
    const ratio = Math.min(1, Math.max(0.08, span * 1.8));
    const x = (Math.max(...xs) + Math.min(...xs)) / 2 + ((hiddenRight / 2) * ratio) / unit;
    const y = (Math.max(...ys) + Math.min(...ys)) / 2;
    void renderer.getCamera().animate({ x, y, ratio }, { duration: 400 });
  }

  /** The nodes of the path shown, or none. */
  highlighted(): string[] {
    return [...(this.highlight?.nodes ?? [])];
  }

  /** Where a node is on the page (CSS pixels), for tests and for anchoring popups. */
  positionOf(id: string): { x: number; y: number } | null {
    if (!this.graph?.hasNode(id) || !this.renderer) return null;
    const { x, y } = this.graph.getNodeAttributes(id);
    const point = this.renderer.graphToViewport({ x, y });
    const box = this.container.getBoundingClientRect();
    return { x: box.left + point.x, y: box.top + point.y };
  }

  zoom(direction: "in" | "out" | "reset"): void {
    const camera = this.renderer?.getCamera();
    if (!camera) return;
    if (direction === "in") void camera.animatedZoom({ duration: 200 });
    else if (direction === "out") void camera.animatedUnzoom({ duration: 200 });
    else void camera.animatedReset({ duration: 300 });
  }

  private dropPathOnly(): void {
    const graph = this.graph;
    if (!graph) return;
    for (const edge of this.highlight?.edges ?? []) if (graph.hasEdge(edge)) graph.dropEdge(edge);
    graph.filterNodes((_, attributes) => attributes.pathOnly === true).forEach((id) => graph.dropNode(id));
  }

  private ensureRenderer(graph: MapGraph): Sigma<NodeAttributes, EdgeAttributes> {
    if (this.renderer) {
      this.renderer.setGraph(graph);
      return this.renderer;
    }
    const renderer = new Sigma<NodeAttributes, EdgeAttributes>(graph, this.container, {
      zIndex: true,
      labelFont: LABEL_FONT,
      labelSize: 12,
      labelWeight: "500",
      labelColor: { color: "#1f2937" },
      labelDensity: 0.5,
      labelGridCellSize: 110,
      labelRenderedSizeThreshold: 9,
      defaultEdgeType: "line",
      minEdgeThickness: 0.6,
      stagePadding: 40,
      hideEdgesOnMove: false,
      nodeReducer: (id, data) => this.reduceNode(id, data),
      edgeReducer: (id, data) => this.reduceEdge(id, data),
    });
    renderer.on("enterNode", ({ node, event }) => {
      const graph = this.graph;
      if (!graph) return;
      this.hovered = { id: node, neighbours: new Set(graph.neighbors(node)) };
      this.events.hover(graph.getNodeAttribute(node, "node"), { x: event.x, y: event.y });
      renderer.refresh({ skipIndexation: true });
    });
    renderer.on("leaveNode", () => {
      this.hovered = null;
      this.events.hover(null, null);
      renderer.refresh({ skipIndexation: true });
    });
    renderer.on("clickNode", ({ node, event }) => {
      const graph = this.graph;
      if (!graph) return;
      const original = event.original;
      const shift = "shiftKey" in original && original.shiftKey;
      this.events.click(graph.getNodeAttribute(node, "node"), shift);
    });
    renderer.on("clickStage", () => this.events.clickBackground());
    // Two quick clicks pick both ends of a path on one node's neighbour; they should not zoom.
    renderer.on("doubleClickNode", ({ event }) => event.preventSigmaDefault());
    // The stage narrows when the side panel opens: redraw at once, so positions stay true.
    new ResizeObserver(() => {
      if (this.renderer !== renderer) return;
      renderer.resize();
      renderer.refresh({ skipIndexation: true });
    }).observe(this.container);
    this.renderer = renderer;
    return renderer;
  }

  private reduceNode(id: string, data: NodeAttributes): Partial<NodeDisplayData> {
    const shown: Partial<NodeDisplayData> = { ...data, zIndex: 1 };
    if (id === this.center) {
      shown.forceLabel = true;
      shown.highlighted = true; // its label in a box: the center is found at a glance
      shown.size = Math.max(data.size, CENTER_SIZE);
    }
    if (this.highlight) {
      if (this.highlight.nodes.has(id)) {
        shown.forceLabel = true;
        shown.highlighted = true;
        shown.zIndex = 3;
      } else {
        shown.color = DIMMED_NODE;
        shown.label = null;
        shown.forceLabel = false;
        shown.zIndex = 0;
      }
    } else if (this.hovered) {
      if (id === this.hovered.id) {
        shown.highlighted = true;
        shown.zIndex = 3;
      } else if (this.hovered.neighbours.has(id)) {
        shown.zIndex = 2;
      } else {
        shown.color = DIMMED_NODE;
        shown.label = null;
        shown.forceLabel = false;
        shown.zIndex = 0;
      }
    }
    return shown;
  }

  private reduceEdge(id: string, data: EdgeAttributes): Partial<EdgeDisplayData> {
    const shown: Partial<EdgeDisplayData> = { ...data };
    if (this.highlight) {
      if (!this.highlight.edges.has(id)) {
        shown.color = DIMMED_EDGE;
        shown.zIndex = 0;
      }
    } else if (this.hovered) {
      const graph = this.graph;
      const touches = graph !== null && graph.hasEdge(id) && graph.extremities(id).includes(this.hovered.id);
      if (touches) {
        shown.zIndex = 2;
        shown.size = Math.max(data.size, 1.5);
        if (data.kind === "OVERLAP") shown.color = "#94a3b8";
      } else {
        shown.hidden = true;
      }
    } else if (data.kind === "PATH") {
      shown.hidden = true;
    }
    return shown;
  }
}

/** The diagonal of the graph's bounding box, in graph coordinates. */
function extent(graph: MapGraph): number {
  let [left, right, bottom, top] = [Infinity, -Infinity, Infinity, -Infinity];
  graph.forEachNode((_, { x, y }) => {
    left = Math.min(left, x);
    right = Math.max(right, x);
    bottom = Math.min(bottom, y);
    top = Math.max(top, y);
  });
  return Number.isFinite(left) ? Math.hypot(right - left, top - bottom) || 100 : 100;
}

function nextPaint(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve())));
}
