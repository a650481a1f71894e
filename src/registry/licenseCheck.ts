/**
 * POST /artifact/model/{id}/license-check {github_url}: may this model be fine-tuned and run inside
 * that GitHub project? Offline: the project is looked up among the registry's code artifacts (by
 * its source URL, canonicalised like every URL here); its license and the model's are the ones the
 * rater found. 404 when the project is not registered (the spec's "GitHub project could not be
 * found"; no network is used).
 *
 * Compatibility follows the direction licenses can be combined in, as drawn in David A. Wheeler's
 * "The Free-Libre / Open Source Software (FLOSS) License Slide" (https://dwheeler.com/essays/floss-license-slide.html)
 * and the FSF's "Various Licenses and Comments about Them" (https://www.gnu.org/licenses/license-list.html):
 * permissive → anything; Apache-2.0 → not GPL-2.0-only; LGPL → LGPL/GPL of the same or a later
 * generation; GPL-2.0 → GPL-2.0 (GPL-3.0 if "or later", which a bare id does not say: refused);
 * GPL-3.0 → GPL-3.0/AGPL-3.0; AGPL-3.0 → AGPL-3.0; CC-BY-SA → CC-BY-SA/GPL-3.0. Model licenses with
 * use restrictions (OpenRAIL, Llama, Gemma) pass the restrictions on and allow fine-tuning and
 * inference: compatible with any project. Non-commercial, no-derivatives and unknown: false.
 */
import { NotFoundError, ValidationError } from '../errors';
import { normaliseName, parseSourceUrl } from './names';
import type { ArtifactStore } from './store';
import type { ArtifactRecord } from './types';

const PERMISSIVE = /^(mit|bsd-[23]-clause|bsd|isc|zlib|unlicense|cc0-1\.0|cc-by-4\.0|cc-by-3\.0|bsl-1\.0|afl-3\.0|wtfpl|pddl|odc-by|cdla-permissive-2\.0|artistic-2\.0)$/;
const RESTRICTED_USE = /^(openrail|openrail\+\+|creativeml-openrail-m|bigscience-openrail-m|llama2|llama3|llama3\.1|gemma)$/;

/** May code under `project` incorporate (fine-tune, run) a model under `model`? */
export function licensesCompatible(model: string | undefined, project: string | undefined): boolean {
  if (!model || !project) return false;
  if (PERMISSIVE.test(model) || RESTRICTED_USE.test(model)) return true;
  const flows: Record<string, string[]> = {
    'apache-2.0': ['apache-2.0', 'mpl-2.0', 'lgpl-3.0', 'gpl-3.0', 'agpl-3.0', ...permissiveTargets()],
    'mpl-2.0': ['mpl-2.0', 'lgpl-2.1', 'lgpl-3.0', 'gpl-2.0', 'gpl-3.0', 'agpl-3.0'],
    'lgpl-2.1': ['lgpl-2.1', 'lgpl-3.0', 'gpl-2.0', 'gpl-3.0', 'agpl-3.0'],
    'lgpl-3.0': ['lgpl-3.0', 'gpl-3.0', 'agpl-3.0'],
    'gpl-2.0': ['gpl-2.0'],
    'gpl-3.0': ['gpl-3.0', 'agpl-3.0'],
    'agpl-3.0': ['agpl-3.0'],
    'cc-by-sa-4.0': ['cc-by-sa-4.0', 'gpl-3.0'],
    'cc-by-sa-3.0': ['cc-by-sa-3.0', 'cc-by-sa-4.0'],
  };
  // apache-2.0 into permissive projects: the combined work carries Apache's terms; allowed.
  return (flows[model] ?? []).includes(project);
}

function permissiveTargets(): string[] {
  return ['mit', 'bsd-2-clause', 'bsd-3-clause', 'isc', 'unlicense', 'zlib'];
}

export interface LicenseCheckResult {
  compatible: boolean;
  modelLicense?: string;
  projectLicense?: string;
}

export async function checkLicense(store: ArtifactStore, model: ArtifactRecord, body: Record<string, unknown>): Promise<LicenseCheckResult> {
  const raw = body.github_url;
  const url = parseSourceUrl(raw, 'github_url');
  const parsed = new URL(url.url);
  if (!/^(www\.)?github\.com$/i.test(parsed.hostname) || parsed.pathname.split('/').filter(Boolean).length < 2) {
    throw new ValidationError('github_url: expected a GitHub repository URL such as https://github.com/google-research/bert');
  }
  const project = await findCodeBySource(store, url.digest, parsed.pathname.split('/').filter(Boolean)[1]);
  if (!project) throw new NotFoundError(`the GitHub project ${url.url} is not registered as a code artifact (the check runs offline: register it with POST /artifact/code first)`);
  return { compatible: licensesCompatible(model.license, project.license), modelLicense: model.license, projectLicense: project.license };
}

/** A code artifact ingested from this URL (its marker), else one named like the repository. */
async function findCodeBySource(store: ArtifactStore, digest: string, repoName: string): Promise<ArtifactRecord | undefined> {
  const marker = await store.getItem({ pk: `URL#${digest}`, sk: 'URL' });
  const byUrl = marker?.artifactId ? await store.get(String(marker.artifactId)) : undefined;
  if (byUrl && byUrl.type === 'code' && byUrl.status === 'completed') return byUrl;
  const [first] = (await store.queryIndex('byName', normaliseName(repoName), { skPrefix: 'code#', limit: 1 })).items;
  const byName = first ? await store.get(first.id as string) : undefined;
  return byName?.status === 'completed' ? byName : undefined;
}
