import { describe, expect, it } from 'vitest';
import type { GraphEdge, GraphNode } from '#local/report/data.ts';
import { layoutGraph, nodeRadius, selectGraph } from '#local/report/graph-layout.ts';

/** An organisation: `teams` teams of `size` internal people meeting among themselves, and externals each meeting one person. */
function org(teams: number, size: number, externals: number): { nodes: GraphNode[]; edges: GraphEdge[] } {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  for (let t = 0; t < teams; t++) {
    for (let i = 0; i < size; i++) {
      nodes.push({ id: `t${t}p${i}@acme.example`, kind: 'internal', meetings: 10 });
      for (let j = 0; j < i; j++) edges.push({ source: `t${t}p${j}@acme.example`, target: `t${t}p${i}@acme.example`, weight: 5 + ((i + j) % 3) });
    }
  }
  for (let x = 0; x < externals; x++) {
    const id = x % 4 === 0 ? `guest: visitor ${x}` : `x${x}@partner${x % 3}.example`;
    nodes.push({ id, kind: x % 4 === 0 ? 'guest' : 'external', meetings: 1 });
    edges.push({ source: `t${x % teams}p${x % size}@acme.example`, target: id, weight: 1 });
  }
  return { nodes, edges };
}

/** A deterministic shuffle (reverse, then interleave halves). */
const shuffle = <T>(items: readonly T[]): T[] => {
  const r = [...items].reverse();
  const half = Math.ceil(r.length / 2);
  return r.slice(0, half).flatMap((v, i) => (r[half + i] === undefined ? [v] : [v, r[half + i]!]));
};

describe('selectGraph', () => {
  it('keeps everything when the graph is small', () => {
    const g = org(2, 3, 2);
    const picked = selectGraph(g.nodes, g.edges);
    expect(picked.nodes).toHaveLength(g.nodes.length);
    expect(picked.edges).toHaveLength(g.edges.length);
    expect(picked).toMatchObject({ omittedNodes: 0, omittedEdges: 0 });
  });

  it.each([
    ['many externals', org(4, 6, 80), 20, 10],
    ['few externals', org(6, 8, 3), 20, 3],
    [
      'only externals',
      { nodes: [...Array(30).keys()].map((i) => ({ id: `x${i}@e.example`, kind: 'external' as const, meetings: 1 })), edges: [] },
      10,
      10,
    ],
  ])('%s: at most maxNodes people, outsiders at most half while insiders are left', (_name, g, maxNodes, outsiders) => {
    const picked = selectGraph(g.nodes, g.edges, { maxNodes });
    expect(picked.nodes).toHaveLength(maxNodes);
    expect(picked.nodes.filter((n) => n.kind !== 'internal')).toHaveLength(outsiders);
    expect(picked.omittedNodes).toBe(g.nodes.length - maxNodes);
  });

  it('draws no one alone who has a link to someone drawn, even when edges are capped', () => {
    const g = org(4, 8, 40);
    const picked = selectGraph(g.nodes, g.edges, { maxNodes: 40, maxEdges: 45 });
    expect(picked.edges.length).toBeLessThanOrEqual(45);
    const ids = new Set(picked.nodes.map((n) => n.id));
    const linked = new Set(picked.edges.flatMap((e) => [e.source, e.target]));
    for (const n of picked.nodes) {
      const hasLink = g.edges.some((e) => (e.source === n.id && ids.has(e.target)) || (e.target === n.id && ids.has(e.source)));
      if (hasLink) expect(linked.has(n.id), n.id).toBe(true);
    }
  });

  it('prefers the people who meet outsiders', () => {
    const g = org(5, 6, 5);
    const picked = selectGraph(g.nodes, g.edges, { maxNodes: 10 });
    const hostsOfExternals = new Set(g.edges.filter((e) => !e.target.endsWith('@acme.example')).map((e) => e.source));
    for (const host of hostsOfExternals) expect(picked.nodes.map((n) => n.id)).toContain(host);
  });

  it('does not depend on the order of the input', () => {
    const g = org(4, 6, 30);
    expect(selectGraph(shuffle(g.nodes), shuffle(g.edges), { maxNodes: 25, maxEdges: 60 })).toEqual(
      selectGraph(g.nodes, g.edges, { maxNodes: 25, maxEdges: 60 }),
    );
  });
});

describe('layoutGraph', () => {
  const box = { width: 960, height: 640 };

  it('places every node inside the box, apart from the others, sized by meetings', () => {
    const g = org(3, 5, 10);
    const placed = layoutGraph(g.nodes, g.edges, box);
    expect(placed).toHaveLength(g.nodes.length);
    for (const n of placed) {
      expect(Number.isFinite(n.x) && Number.isFinite(n.y)).toBe(true);
      expect(n.x).toBeGreaterThanOrEqual(0);
      expect(n.x).toBeLessThanOrEqual(box.width);
      expect(n.y).toBeGreaterThanOrEqual(0);
      expect(n.y).toBeLessThanOrEqual(box.height);
      expect(n.r).toBeCloseTo(nodeRadius(n.meetings), 1);
    }
    const points = new Set(placed.map((n) => `${Math.round(n.x / 4)},${Math.round(n.y / 4)}`));
    expect(points.size).toBe(placed.length);
  });

  it('puts linked people closer together than unlinked ones', () => {
    const g = org(3, 5, 0);
    const at = new Map(layoutGraph(g.nodes, g.edges, box).map((n) => [n.id, n]));
    const dist = (a: string, b: string) => Math.hypot(at.get(a)!.x - at.get(b)!.x, at.get(a)!.y - at.get(b)!.y);
    const within: number[] = [];
    const across: number[] = [];
    for (const a of at.keys()) for (const b of at.keys()) if (a < b) (a.slice(0, 2) === b.slice(0, 2) ? within : across).push(dist(a, b));
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean(within)).toBeLessThan(mean(across) / 2);
  });

  it('gives the same layout for the same graph, whatever the input order, and another for another seed', () => {
    const g = org(3, 5, 10);
    const first = layoutGraph(g.nodes, g.edges, box);
    expect(layoutGraph(g.nodes, g.edges, box)).toEqual(first);
    expect(layoutGraph(shuffle(g.nodes), shuffle(g.edges), box)).toEqual(first);
    expect(layoutGraph(g.nodes, g.edges, { ...box, seed: 2 })).not.toEqual(first);
  });

  it.each([
    ['no nodes', [], 0],
    ['one node', [{ id: 'a', kind: 'internal', meetings: 1 }], 1],
    [
      'two unlinked nodes',
      [
        { id: 'a', kind: 'internal', meetings: 1 },
        { id: 'b', kind: 'guest', meetings: 1 },
      ],
      2,
    ],
  ] as const)('handles %s', (_name, nodes, count) => {
    const placed = layoutGraph(nodes, [], box);
    expect(placed).toHaveLength(count);
    for (const n of placed) expect(Number.isFinite(n.x) && Number.isFinite(n.y)).toBe(true);
  });
});
