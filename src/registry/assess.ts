/**
 * What the registry learns from an artifact's bytes before it keeps them: its README (for search),
 * its license, and — for a model — its rating, with the dependencies it names resolved against
 * the registry.
 */
import { summariseArchive } from './archive';
import { detectLicense, scoreLicense } from './license';
import { readLinks, resolveDependency } from './links';
import { rateSupporting, readmeOf, type RatedDependency, type Rater } from './rater';
import type { ArtifactStore } from './store';
import { LINKABLE_TYPES, type ArtifactRecord, type ArtifactType, type DependencyLink, type ModelRating } from './types';

export interface Assessment {
  readme?: string;
  license?: string;
  /** Only for models. */
  rating?: ModelRating;
  /** Only for datasets and code. */
  scores?: Record<string, number>;
}

export interface AssessInput {
  type: ArtifactType;
  name: string;
  bytes: Buffer;
  dependencies: DependencyLink[];
}

export async function assessArtifact(store: ArtifactStore, rater: Rater, input: AssessInput): Promise<Assessment> {
  const archive = summariseArchive(input.bytes);
  const readme = readmeOf(archive);
  if (input.type !== 'model') return { readme, license: detectLicense(archive.texts).id, scores: rateSupporting(input.type, archive) };
  const dependencies = await describeDependencies(store, input.dependencies);
  const { rating, license } = await rater.rate({ name: input.name, sizeBytes: input.bytes.length, archive, dependencies });
  return { readme, license, rating };
}

/** The links a model would get if it were created now (before it exists). */
export async function prospectiveLinks(store: ArtifactStore, dependsOn: ArtifactRecord['dependsOn']): Promise<DependencyLink[]> {
  const links: DependencyLink[] = [];
  for (const type of LINKABLE_TYPES) {
    const name = dependsOn[type];
    if (!name) continue;
    const linkedId = await resolveDependency(store, type, name);
    links.push({ type, name, ...(linkedId ? { linkedId } : {}) });
  }
  return links;
}

/** The links of an existing model. */
export async function currentLinks(store: ArtifactStore, record: ArtifactRecord): Promise<DependencyLink[]> {
  return record.type === 'model' ? readLinks(store, record) : [];
}

async function describeDependencies(store: ArtifactStore, links: DependencyLink[]): Promise<RatedDependency[]> {
  return Promise.all(
    links.map(async (link) => {
      const linked = link.linkedId ? await store.get(link.linkedId) : undefined;
      return {
        type: link.type,
        name: link.name,
        ...(linked ? { linked: { id: linked.id, licenseScore: scoreLicense(linked.license), hasReadme: Boolean(linked.readme) } } : {}),
      };
    }),
  );
}
