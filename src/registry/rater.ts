/**
 * The Rater interface and the default rater. The default works offline, from the artifact's bytes
 * (README, LICENSE, file list; see archive.ts) and what the registry knows (size, declared and
 * linked dependencies). Every metric is in [0, 1]; a metric with no evidence scores 0 rather than
 * a made-up fallback, and each latency is the measured time in seconds.
 *
 * size_score per device class: 1 up to `fullBytes`, falling linearly to 0 at `zeroBytes`
 * (DEVICE_SIZE_LIMITS). net_score is the weighted sum in NET_WEIGHTS (weights add up to 1).
 */
import type { ArchiveSummary } from './archive';
import { detectLicense } from './license';
import type { LinkableType, ModelRating, SizeScore } from './types';

export interface RatedDependency {
  type: LinkableType;
  name: string;
  /** Present when the dependency is linked: what the registry knows about that artifact. */
  linked?: { id: string; licenseScore: number; hasReadme: boolean };
}

export interface RatingInput {
  name: string;
  sizeBytes: number;
  archive: ArchiveSummary;
  dependencies: RatedDependency[];
}

export interface RatingOutcome {
  rating: ModelRating;
  /** The license id found, if any. */
  license?: string;
}

export interface Rater {
  rate(input: RatingInput): Promise<RatingOutcome>;
}

const MB = 1024 * 1024;
export const DEVICE_SIZE_LIMITS: Record<keyof SizeScore, { fullBytes: number; zeroBytes: number }> = {
  raspberry_pi: { fullBytes: 200 * MB, zeroBytes: 1000 * MB },
  jetson_nano: { fullBytes: 500 * MB, zeroBytes: 4000 * MB },
  desktop_pc: { fullBytes: 2000 * MB, zeroBytes: 16000 * MB },
  aws_server: { fullBytes: 10000 * MB, zeroBytes: 64000 * MB },
};

export const NET_WEIGHTS = {
  license: 0.2,
  ramp_up_time: 0.15,
  size_score: 0.1,
  performance_claims: 0.1,
  reproducibility: 0.1,
  dataset_and_code_score: 0.1,
  bus_factor: 0.05,
  dataset_quality: 0.05,
  code_quality: 0.05,
  reviewedness: 0.05,
  tree_score: 0.05,
} as const;

type MetricName = keyof typeof NET_WEIGHTS;

export function createDefaultRater(): Rater {
  return { rate: async (input) => rateOffline(input) };
}

export function rateOffline(input: RatingInput): RatingOutcome {
  const started = performance.now();
  const readme = topLevelText(input.archive, /^(readme|model_card|modelcard)(\.[a-z0-9]+)?$/) ?? '';
  const frontMatter = readme.match(/^---\r?\n([\s\S]*?)\r?\n---/)?.[1] ?? '';
  const values: Partial<Record<MetricName, number>> = {};
  const latencies: Partial<Record<MetricName, number>> = {};
  let license: string | undefined;
  let sizeScore: SizeScore = { raspberry_pi: 0, jetson_nano: 0, desktop_pc: 0, aws_server: 0 };

  const timed = (name: MetricName, fn: () => number) => {
    const t0 = performance.now();
    values[name] = clamp(fn());
    latencies[name] = (performance.now() - t0) / 1000;
  };

  timed('license', () => {
    const found = detectLicense(input.archive.texts);
    license = found.id;
    return found.score;
  });
  timed('size_score', () => {
    sizeScore = deviceSizeScores(input.sizeBytes);
    return mean(Object.values(sizeScore));
  });
  timed('ramp_up_time', () => rampUp(readme));
  timed('bus_factor', () => busFactor(input.archive, frontMatter));
  timed('performance_claims', () => performanceClaims(readme, frontMatter));
  timed('reproducibility', () => reproducibility(readme));
  timed('dataset_and_code_score', () => datasetAndCode(input.dependencies, frontMatter));
  timed('dataset_quality', () => dependencyQuality(input.dependencies, 'dataset'));
  timed('code_quality', () => codeQuality(input.archive, input.dependencies));
  timed('reviewedness', () => reviewedness(input.archive));
  timed('tree_score', () => treeScore(input.dependencies));

  const net = (Object.keys(NET_WEIGHTS) as MetricName[]).reduce((sum, k) => sum + NET_WEIGHTS[k] * (values[k] ?? 0), 0);
  const category = frontMatter.match(/^pipeline_tag:\s*["']?([\w-]+)/m)?.[1] ?? frontMatter.match(/^library_name:\s*["']?([\w-]+)/m)?.[1] ?? 'model';
  const rating: ModelRating = {
    name: input.name,
    category,
    net_score: round(net),
    net_score_latency: (performance.now() - started) / 1000,
    ramp_up_time: round(values.ramp_up_time!),
    ramp_up_time_latency: latencies.ramp_up_time!,
    bus_factor: round(values.bus_factor!),
    bus_factor_latency: latencies.bus_factor!,
    performance_claims: round(values.performance_claims!),
    performance_claims_latency: latencies.performance_claims!,
    license: round(values.license!),
    license_latency: latencies.license!,
    dataset_and_code_score: round(values.dataset_and_code_score!),
    dataset_and_code_score_latency: latencies.dataset_and_code_score!,
    dataset_quality: round(values.dataset_quality!),
    dataset_quality_latency: latencies.dataset_quality!,
    code_quality: round(values.code_quality!),
    code_quality_latency: latencies.code_quality!,
    reproducibility: round(values.reproducibility!),
    reproducibility_latency: latencies.reproducibility!,
    reviewedness: round(values.reviewedness!),
    reviewedness_latency: latencies.reviewedness!,
    tree_score: round(values.tree_score!),
    tree_score_latency: latencies.tree_score!,
    size_score: sizeScore,
    size_score_latency: latencies.size_score!,
  };
  return { rating, license };
}

/**
 * A dataset's or code's own metrics. The spec's ModelRating is for models; of its metrics, these
 * are the ones it defines in a way that applies to a dataset or code on its own: license,
 * ramp_up_time (the README), and dataset_quality / code_quality as a model would see them linked.
 */
export function rateSupporting(type: 'dataset' | 'code', archive: ArchiveSummary): Record<string, number> {
  const readme = topLevelText(archive, /^(readme|model_card|modelcard|datacard|dataset_card)(\.[a-z0-9]+)?$/) ?? '';
  const license = detectLicense(archive.texts).score;
  const own: Record<string, number> =
    type === 'dataset'
      ? { dataset_quality: round((readme.trim() ? 0.5 : 0) + 0.5 * license) }
      : { code_quality: round(codeQuality(archive, []) / 0.8) };
  return { license: round(license), ramp_up_time: round(rampUp(readme)), ...own };
}

/** The metrics that pulled a rating below `min`, worst first: "license 0 (weight 0.2), ramp_up_time 0.3 (weight 0.15)". */
export function describeShortfall(rating: ModelRating, min: number): string {
  const metrics = (Object.keys(NET_WEIGHTS) as MetricName[]).map((k) => {
    const raw = rating[k];
    const value = typeof raw === 'number' ? raw : round(mean(Object.values(raw)));
    return { k, value, lost: NET_WEIGHTS[k] * (1 - value) };
  });
  const short = metrics.filter((m) => m.value < min).sort((a, b) => b.lost - a.lost);
  return short.map((m) => `${m.k} ${m.value} (weight ${NET_WEIGHTS[m.k]})`).join(', ') || 'no single metric below the minimum';
}

export function deviceSizeScores(sizeBytes: number): SizeScore {
  const score = (k: keyof SizeScore) => {
    const { fullBytes, zeroBytes } = DEVICE_SIZE_LIMITS[k];
    if (sizeBytes <= fullBytes) return 1;
    if (sizeBytes >= zeroBytes) return 0;
    return round(1 - (sizeBytes - fullBytes) / (zeroBytes - fullBytes));
  };
  return { raspberry_pi: score('raspberry_pi'), jetson_nano: score('jetson_nano'), desktop_pc: score('desktop_pc'), aws_server: score('aws_server') };
}

/** A README that exists, is substantial, explains how to start, and shows code. */
function rampUp(readme: string): number {
  if (!readme.trim()) return 0;
  const body = stripFrontMatter(readme);
  let s = 0.3;
  if (body.length >= 500) s += 0.2;
  if (/^#{1,6}\s*(usage|quick ?start|getting started|how to use|example|installation|install)\b/im.test(body)) s += 0.25;
  if (/```/.test(body)) s += 0.25;
  return s;
}

/** Distinct people named in AUTHORS/CONTRIBUTORS/CITATION files: five or more → 1. */
function busFactor(archive: ArchiveSummary, frontMatter: string): number {
  const people = new Set<string>();
  for (const [path, text] of archive.texts) {
    const base = path.split('/').pop()!.toLowerCase();
    if (/^(authors|contributors)(\.[a-z]+)?$/.test(base)) {
      for (const line of text.split('\n')) if (/\w/.test(line) && !line.trim().startsWith('#')) people.add(line.trim().toLowerCase());
    } else if (/^citation(\.[a-z]+)?$/.test(base)) {
      for (const m of text.matchAll(/(?:family-names|name|author)\s*[:=]\s*["{]?([^"}\n,]+)/gi)) people.add(m[1].trim().toLowerCase());
    }
  }
  for (const m of frontMatter.matchAll(/^\s*-\s*name:\s*(.+)$/gm)) people.add(m[1].trim().toLowerCase());
  return Math.min(1, people.size / 5);
}

/** Stated results: a model-index in the card, an evaluation/results section, numbers next to metric names. */
function performanceClaims(readme: string, frontMatter: string): number {
  if (/^model-index:/m.test(frontMatter)) return 1;
  let s = 0;
  if (/^#{1,6}\s*(evaluation|results|benchmarks?|performance|metrics)\b/im.test(readme)) s += 0.5;
  if (/\b(accuracy|f1|bleu|rouge|perplexity|exact match|wer|map|auc|precision|recall)\b[^\n]{0,40}\d/i.test(readme)) s += 0.5;
  return s;
}

/** Code a reader can run: a fenced block that imports, installs or loads the model. */
function reproducibility(readme: string): number {
  const blocks = [...readme.matchAll(/```[\w-]*\n([\s\S]*?)```/g)].map((m) => m[1]);
  if (!blocks.length) return 0;
  return blocks.some((b) => /\b(import|from_pretrained|pip install|python |npm install|require\()/.test(b)) ? 1 : 0.5;
}

function datasetAndCode(deps: RatedDependency[], frontMatter: string): number {
  let s = 0;
  const dataset = deps.find((d) => d.type === 'dataset');
  const code = deps.find((d) => d.type === 'code');
  if (dataset || /^datasets:/m.test(frontMatter)) s += 0.25;
  if (dataset?.linked) s += 0.25;
  if (code) s += 0.25;
  if (code?.linked) s += 0.25;
  return s;
}

/** A linked dependency counts half; its README and its license score the other half. */
function dependencyQuality(deps: RatedDependency[], type: LinkableType): number {
  const linked = deps.find((d) => d.type === type)?.linked;
  if (!linked) return 0;
  return 0.5 + (linked.hasReadme ? 0.25 : 0) + 0.25 * linked.licenseScore;
}

function codeQuality(archive: ArchiveSummary, deps: RatedDependency[]): number {
  let s = 0;
  if (archive.paths.some((p) => /\.(py|ipynb|ts|js|rs|go|java|cpp|c|jl|r)$/i.test(p))) s += 0.3;
  if (archive.paths.some((p) => /(^|\/)(requirements\.txt|pyproject\.toml|setup\.py|package\.json|environment\.ya?ml|Cargo\.toml)$/i.test(p))) s += 0.3;
  if (archive.paths.some((p) => /(^|\/)(tests?\/|test_[^/]+\.py$|[^/]+\.test\.[jt]s$)/i.test(p))) s += 0.2;
  if (deps.some((d) => d.type === 'code' && d.linked)) s += 0.2;
  return s;
}

/** Evidence that changes are reviewed: CODEOWNERS or CI workflows, and tests. */
function reviewedness(archive: ArchiveSummary): number {
  let s = 0;
  if (archive.paths.some((p) => /(^|\/)(CODEOWNERS|\.github\/)/.test(p))) s += 0.5;
  if (archive.paths.some((p) => /(^|\/)tests?\//i.test(p))) s += 0.5;
  return s;
}

/** Share of declared dependencies that resolve to registered artifacts; nothing declared → 0.5 (unknown). */
function treeScore(deps: RatedDependency[]): number {
  if (!deps.length) return 0.5;
  return deps.filter((d) => d.linked).length / deps.length;
}

function topLevelText(archive: ArchiveSummary, basename: RegExp): string | undefined {
  const matches = [...archive.texts.entries()].filter(([p]) => basename.test(p.split('/').pop()!.toLowerCase()));
  matches.sort((a, b) => a[0].split('/').length - b[0].split('/').length);
  return matches[0]?.[1];
}

export function readmeOf(archive: ArchiveSummary): string | undefined {
  return topLevelText(archive, /^(readme|model_card|modelcard)(\.[a-z0-9]+)?$/);
}

function stripFrontMatter(text: string): string {
  return text.replace(/^---\r?\n[\s\S]*?\r?\n---\r?\n?/, '');
}

function clamp(n: number): number {
  return Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : 0;
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
