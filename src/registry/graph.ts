/**
 * A model's dependency graph, for the spec's lineage and cost endpoints. Edges come from the
 * registry's own links (the dataset and code a model names, linked lazily, links.ts) and from the
 * model card's metadata (`base_model:` and `datasets:` in the README front matter). A card entry
 * that names a registered artifact becomes a node with its id; one that does not is an external
 * node (`ext-…` id, source `model_card`), shown in lineage but costing nothing.
 */
import { readLinks } from './links';
import { normaliseName } from './names';
import type { ArtifactStore } from './store';
import type { ArtifactRecord, ArtifactType } from './types';

export interface LineageNode {
  artifact_id: string;
  name: string;
  source: string;
  metadata?: Record<string, unknown>;
}
export interface LineageEdge {
  from_node_artifact_id: string;
  to_node_artifact_id: string;
  relationship: string;
}
export interface LineageGraph {
  nodes: LineageNode[];
  edges: LineageEdge[];
}

interface Upstream {
  record?: ArtifactRecord;
  name: string;
  relationship: string;
  source: string;
}

/** The artifacts a model stands on: its linked dataset/code, and what its card names. */
export async function upstreamOf(store: ArtifactStore, record: ArtifactRecord): Promise<Upstream[]> {
  if (record.type !== 'model') return [];
  const out: Upstream[] = [];
  for (const link of await readLinks(store, record)) {
    const linked = link.linkedId ? await store.get(link.linkedId) : undefined;
    out.push({ record: linked, name: link.name, relationship: link.type === 'dataset' ? 'fine_tuning_dataset' : 'training_code', source: 'registry_link' });
  }
  const card = cardMetadata(record.readme ?? '');
  for (const [names, type, relationship] of [
    [card.baseModels, 'model', 'base_model'],
    [card.datasets, 'dataset', 'fine_tuning_dataset'],
  ] as [string[], ArtifactType, string][]) {
    for (const name of names) {
      if (out.some((u) => normaliseName(u.name) === normaliseName(name) && u.relationship === relationship)) continue;
      out.push({ record: await findByName(store, type, name), name, relationship, source: 'model_card' });
    }
  }
  return out.filter((u) => u.record?.id !== record.id);
}

export async function lineageOf(store: ArtifactStore, model: ArtifactRecord, maxDepth = 5): Promise<LineageGraph> {
  const nodes = new Map<string, LineageNode>([[model.id, { artifact_id: model.id, name: model.name, source: 'registry' }]]);
  const edges: LineageEdge[] = [];
  const queue: [ArtifactRecord, number][] = [[model, 0]];
  while (queue.length) {
    const [current, depth] = queue.shift()!;
    if (depth >= maxDepth) continue;
    for (const up of await upstreamOf(store, current)) {
      const id = up.record?.id ?? externalId(up.name);
      if (!nodes.has(id)) {
        nodes.set(id, { artifact_id: id, name: up.record?.name ?? up.name, source: up.record ? up.source : 'model_card', ...(up.record ? {} : { metadata: { registered: false } }) });
        if (up.record) queue.push([up.record, depth + 1]);
      }
      edges.push({ from_node_artifact_id: id, to_node_artifact_id: current.id, relationship: up.relationship });
    }
  }
  return { nodes: [...nodes.values()], edges };
}

/** `base_model:` and `datasets:` from a card's YAML front matter (a string or a list). */
export function cardMetadata(readme: string): { baseModels: string[]; datasets: string[] } {
  const fm = readme.match(/^---\r?\n([\s\S]*?)\r?\n---/)?.[1] ?? '';
  return { baseModels: yamlList(fm, 'base_model'), datasets: yamlList(fm, 'datasets') };
}

function yamlList(frontMatter: string, key: string): string[] {
  const inline = frontMatter.match(new RegExp(`^${key}:[ \\t]*(\\S.*)$`, 'm'))?.[1];
  if (inline) {
    const items = inline.replace(/^\[|\]$/g, '').split(',');
    return items.map(clean).filter(Boolean).slice(0, 20);
  }
  const block = frontMatter.match(new RegExp(`^${key}:[ \\t]*\\r?\\n((?:[ \\t]*-[^\\n]*\\r?\\n?)+)`, 'm'))?.[1] ?? '';
  return block.split('\n').map((l) => clean(l.replace(/^\s*-\s*/, ''))).filter(Boolean).slice(0, 20);
}

function clean(s: string): string {
  const v = s.trim().replace(/^["']|["']$/g, '');
  return v.split('/').pop()!.slice(0, 200);
}

function externalId(name: string): string {
  return `ext-${normaliseName(name).replace(/[^a-z0-9-]+/g, '-').slice(0, 56)}`;
}

async function findByName(store: ArtifactStore, type: ArtifactType, name: string): Promise<ArtifactRecord | undefined> {
  const [first] = await store.queryIndex('byName', normaliseName(name), { skPrefix: `${type}#`, limit: 1 }).then((p) => p.items);
  return first ? store.get(first.id as string) : undefined;
}

/** MB as the spec's cost uses it: 10^6 bytes. */
export const BYTES_PER_MB = 1_000_000;

export type ArtifactCost = Record<string, { standalone_cost?: number; total_cost: number }>;

/**
 * The spec's ArtifactCost: without `dependency`, `{id: {total_cost: size}}`; with it, every artifact
 * of the graph with its standalone size and its total (itself plus everything below it, each
 * artifact counted once).
 */
export async function costOf(store: ArtifactStore, root: ArtifactRecord, dependency: boolean): Promise<ArtifactCost> {
  const mb = (r: ArtifactRecord) => round((r.blob?.sizeBytes ?? 0) / BYTES_PER_MB);
  if (!dependency) return { [root.id]: { total_cost: mb(root) } };
  const below = new Map<string, Set<string>>();
  const records = new Map<string, ArtifactRecord>();
  const visit = async (r: ArtifactRecord, path: Set<string>): Promise<Set<string>> => {
    if (below.has(r.id)) return below.get(r.id)!;
    records.set(r.id, r);
    const all = new Set([r.id]);
    for (const up of await upstreamOf(store, r)) {
      if (!up.record || path.has(up.record.id)) continue; // a cycle in card metadata is cut
      for (const id of await visit(up.record, new Set([...path, r.id]))) all.add(id);
    }
    below.set(r.id, all);
    return all;
  };
  await visit(root, new Set());
  const out: ArtifactCost = {};
  for (const [id, ids] of below) {
    out[id] = { standalone_cost: mb(records.get(id)!), total_cost: round([...ids].reduce((s, x) => s + mb(records.get(x)!), 0)) };
  }
  return out;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
