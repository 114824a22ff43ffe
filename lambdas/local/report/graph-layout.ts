import { Prng } from '#core/prng.ts';
import type { GraphEdge, GraphNode } from './data.ts';

/** How much of the graph to draw. */
export interface GraphSelectionOptions {
  /** @default 60 */
  readonly maxNodes?: number;
  /** @default 300 */
  readonly maxEdges?: number;
}

/** The part of the graph that is drawn, and how much was left out. */
export interface SelectedGraph {
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
  readonly omittedNodes: number;
  readonly omittedEdges: number;
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const edgeOrder = (a: GraphEdge, b: GraphEdge) =>
  b.weight - a.weight || (a.source < b.source ? -1 : a.source > b.source ? 1 : 0) || (a.target < b.target ? -1 : a.target > b.target ? 1 : 0);

/**
 * Picks the people to draw. The graph is about who meets outsiders: people with links across the organisation's
 * boundary come first, then the others; within each, people linked to those already picked go first (so few are
 * drawn alone), ranked by meetings shared across the boundary, then by all shared meetings. External people and
 * guests take at most half the places while internal people are left. The result does not depend on input order.
 */
export function selectGraph(nodes: readonly GraphNode[], edges: readonly GraphEdge[], options: GraphSelectionOptions = {}): SelectedGraph {
  const maxNodes = options.maxNodes ?? 60;
  const maxEdges = options.maxEdges ?? 300;
  const kindOf = new Map(nodes.map((n) => [n.id, n.kind]));
  const cross = new Map<string, number>();
  const degree = new Map<string, number>();
  const neighbours = new Map<string, string[]>();
  for (const e of edges) {
    const ks = kindOf.get(e.source);
    const kt = kindOf.get(e.target);
    if (ks === undefined || kt === undefined || e.source === e.target) continue;
    for (const [a, b] of [
      [e.source, e.target],
      [e.target, e.source],
    ] as const) {
      degree.set(a, (degree.get(a) ?? 0) + e.weight);
      if ((ks === 'internal') !== (kt === 'internal')) cross.set(a, (cross.get(a) ?? 0) + e.weight);
      const list = neighbours.get(a) ?? [];
      list.push(b);
      neighbours.set(a, list);
    }
  }
  const ranked = [...nodes].sort(
    (a, b) =>
      (cross.get(b.id) ?? 0) - (cross.get(a.id) ?? 0) || (degree.get(b.id) ?? 0) - (degree.get(a.id) ?? 0) || b.meetings - a.meetings || byId(a, b),
  );
  const insideTotal = nodes.filter((n) => n.kind === 'internal').length;
  const outsideQuota = Math.max(Math.floor(maxNodes / 2), maxNodes - insideTotal);
  const chosen = new Set<string>();
  const linked = new Set<string>();
  let outside = 0;
  const allowed = (n: GraphNode) => !chosen.has(n.id) && (n.kind === 'internal' || outside < outsideQuota);
  const meetsOutsiders = (n: GraphNode) => (cross.get(n.id) ?? 0) > 0;
  const preferences: ((n: GraphNode) => boolean)[] = [
    (n) => meetsOutsiders(n) && linked.has(n.id),
    meetsOutsiders,
    (n) => linked.has(n.id),
    () => true,
  ];
  while (chosen.size < Math.min(maxNodes, nodes.length)) {
    let next: GraphNode | undefined;
    for (const preferred of preferences) {
      next = ranked.find((n) => allowed(n) && preferred(n));
      if (next !== undefined) break;
    }
    if (next === undefined) break;
    chosen.add(next.id);
    linked.delete(next.id);
    if (next.kind !== 'internal') outside++;
    for (const id of neighbours.get(next.id) ?? []) if (!chosen.has(id)) linked.add(id);
  }
  const picked = nodes.filter((n) => chosen.has(n.id)).sort(byId);
  // Edges drawn first: each person's strongest link (nobody drawn alone who has one), then links across the boundary,
  // then the rest, heaviest first within each.
  const inGraph = edges.filter((e) => chosen.has(e.source) && chosen.has(e.target) && e.source !== e.target).sort(edgeOrder);
  const strongest = new Set<GraphEdge>();
  for (const id of [...chosen].sort()) {
    const best = inGraph.find((e) => e.source === id || e.target === id);
    if (best) strongest.add(best);
  }
  const crossing = (e: GraphEdge) => (kindOf.get(e.source) === 'internal') !== (kindOf.get(e.target) === 'internal');
  const tier = (e: GraphEdge) => (strongest.has(e) ? 0 : crossing(e) ? 1 : 2);
  const drawn = [...inGraph].sort((a, b) => tier(a) - tier(b) || edgeOrder(a, b)).slice(0, maxEdges);
  return { nodes: picked, edges: drawn, omittedNodes: nodes.length - picked.length, omittedEdges: edges.length - drawn.length };
}

/** A node with its place and size. */
export interface PlacedNode extends GraphNode {
  readonly x: number;
  readonly y: number;
  readonly r: number;
}

/** Where to draw the graph. */
export interface LayoutOptions {
  readonly width: number;
  readonly height: number;
  /** @default 300 */
  readonly iterations?: number;
  /** Seeds the starting positions; the same seed and graph always give the same layout. @default 1 */
  readonly seed?: number;
  /** Space kept free along the edges of the drawing. @default 40 */
  readonly margin?: number;
}

/** The radius of a node drawn for a person in `meetings` meetings. */
export function nodeRadius(meetings: number): number {
  return Math.min(14, 4 + 1.5 * Math.sqrt(Math.max(0, meetings)));
}

/**
 * A force-directed layout (Fruchterman-Reingold) with seeded starting positions and a fixed number of steps, scaled
 * to fill the box: deterministic for a given graph, whatever the order of the input.
 */
export function layoutGraph(nodes: readonly GraphNode[], edges: readonly GraphEdge[], options: LayoutOptions): PlacedNode[] {
  const { width, height } = options;
  const margin = options.margin ?? 40;
  const iterations = options.iterations ?? 300;
  const sorted = [...nodes].sort(byId);
  const n = sorted.length;
  if (n === 0) return [];
  const index = new Map(sorted.map((node, i) => [node.id, i]));
  const links = edges
    .map((e) => ({ a: index.get(e.source), b: index.get(e.target), w: e.weight }))
    .filter((l): l is { a: number; b: number; w: number } => l.a !== undefined && l.b !== undefined && l.a !== l.b)
    // A fixed order of the forces' sum, so the floating-point result does not depend on the order of the input.
    .map((l) => (l.a < l.b ? l : { a: l.b, b: l.a, w: l.w }))
    .sort((p, q) => p.a - q.a || p.b - q.b || p.w - q.w);
  // The shared seeded PRNG, so the layout is the same on every run.
  const rng = Prng.fromState(options.seed ?? 1);
  const random = () => rng.next();
  const xs = sorted.map(() => random() * width);
  const ys = sorted.map(() => random() * height);
  const k = 0.8 * Math.sqrt((width * height) / n);
  const cx = width / 2;
  const cy = height / 2;
  const radius = 0.45 * Math.min(width, height);
  const gravity = (n * k * k) / (radius * radius);
  for (let step = 0; step < iterations; step++) {
    const temperature = (width / 10) * (1 - step / iterations);
    const dx = new Array<number>(n).fill(0);
    const dy = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        let ddx = xs[i]! - xs[j]!;
        let ddy = ys[i]! - ys[j]!;
        let d2 = ddx * ddx + ddy * ddy;
        if (d2 < 0.01) {
          // Coincident nodes: push apart along a fixed direction derived from their indices.
          ddx = ((i - j) % 3) + 0.5;
          ddy = ((i + j) % 3) - 1;
          d2 = ddx * ddx + ddy * ddy;
        }
        const force = (k * k) / d2;
        dx[i]! += ddx * force;
        dy[i]! += ddy * force;
        dx[j]! -= ddx * force;
        dy[j]! -= ddy * force;
      }
    }
    for (const { a, b, w } of links) {
      const ddx = xs[a]! - xs[b]!;
      const ddy = ys[a]! - ys[b]!;
      const d = Math.sqrt(ddx * ddx + ddy * ddy) || 0.01;
      const force = (d / k) * (1 + Math.log(w));
      dx[a]! -= ddx * force;
      dy[a]! -= ddy * force;
      dx[b]! += ddx * force;
      dy[b]! += ddy * force;
    }
    for (let i = 0; i < n; i++) {
      // Gravity balances the repulsion of all n nodes at about `radius` from the middle, so people without links
      // stay in the picture instead of drifting off and squeezing the rest when the result is scaled into the box.
      dx[i]! += (cx - xs[i]!) * gravity;
      dy[i]! += (cy - ys[i]!) * gravity;
      const len = Math.sqrt(dx[i]! * dx[i]! + dy[i]! * dy[i]!) || 1;
      const move = Math.min(len, temperature);
      xs[i] = xs[i]! + (dx[i]! / len) * move;
      ys[i] = ys[i]! + (dy[i]! / len) * move;
    }
  }
  // Scale the result into the box, keeping the margin free.
  const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const scaleX = maxX - minX > 1e-6 ? (width - 2 * margin) / (maxX - minX) : 0;
  const scaleY = maxY - minY > 1e-6 ? (height - 2 * margin) / (maxY - minY) : 0;
  const round = (v: number) => Math.round(v * 10) / 10;
  return sorted.map((node, i) => ({
    ...node,
    x: round(scaleX === 0 ? width / 2 : margin + (xs[i]! - minX) * scaleX),
    y: round(scaleY === 0 ? height / 2 : margin + (ys[i]! - minY) * scaleY),
    r: round(nodeRadius(node.meetings)),
  }));
}
