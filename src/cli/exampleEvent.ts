/**
 * An event file that exists, for the hints the commands print: Larder's own test_events/ for its
 * template, else the first JSON file in the template's events/ folder (as `sam init` apps have).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const LARDER_EVENTS: Record<string, string> = {
  QueryFunction: 'test_events/query_direct.json',
  ArtifactFunction: 'test_events/artifact_list.json',
  DataLoaderTestFunction: 'test_events/data_loader.json',
  IngestWorkerFunction: 'test_events/ingest_worker.json',
};

export function exampleEventFile(templateDir: string, functionId: string, cwd = process.cwd()): string | undefined {
  const own = LARDER_EVENTS[functionId];
  if (own && existsSync(join(cwd, own))) return own;
  const dir = join(templateDir, 'events');
  if (!existsSync(dir)) return undefined;
  const file = readdirSync(dir).filter((f) => f.endsWith('.json')).sort()[0];
  return file ? relative(cwd, join(dir, file)) || file : undefined;
}

/** `aws lambda invoke` that works with the aws CLI v1 and v2: fileb:// sends the file's bytes as they are. */
export function awsLambdaInvokeHint(endpoint: string, functionName: string, eventFile: string | undefined): string {
  const payload = eventFile ? ` --payload fileb://${eventFile}` : '';
  return `aws lambda invoke --endpoint-url ${endpoint} --function-name ${functionName}${payload} out.json   (aws CLI v1 and v2)`;
}
