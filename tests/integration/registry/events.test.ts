/** The test_events/ files of ArtifactFunction and IngestWorkerFunction, run through the handlers. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createArtifactHandler } from '../../../src/handlers/artifact';
import { createIngestWorkerHandler } from '../../../src/handlers/ingestWorker';
import { createHarness, expectSpec, type Harness } from './harness';

const EVENTS = resolve(import.meta.dirname, '../../../test_events');
const load = (name: string) => JSON.parse(readFileSync(resolve(EVENTS, name), 'utf8'));

let h: Harness;
let handle: ReturnType<typeof createArtifactHandler>;

beforeAll(async () => {
  h = await createHarness({ invoker: 'manual' });
  handle = createArtifactHandler(async () => ({ registry: h.runtime.registry, maxUploadBytes: h.runtime.limits.maxUploadBytes }));
});

describe('test_events', () => {
  it('uploads by multipart and by base64 raw body, then lists, searches and gets', async () => {
    const multipart = await handle(load('artifact_upload_multipart.json'));
    expect(multipart.statusCode, multipart.body).toBe(201);
    expectSpec('Artifact', JSON.parse(multipart.body));
    const raw = await handle(load('artifact_upload_base64.json'));
    expect(raw.statusCode, raw.body).toBe(201);
    expect(JSON.parse(raw.body).metadata).toMatchObject({ name: 'tiny-squad', type: 'dataset' });

    const list = await handle(load('artifact_list.json'));
    expect(list.statusCode).toBe(200);
    expectSpec({ arrayOf: 'ArtifactMetadata' }, JSON.parse(list.body));
    expect(JSON.parse(list.body).map((m: { name: string }) => m.name).sort()).toEqual(['tiny-classifier', 'tiny-squad']);

    const regex = await handle(load('artifact_regex.json'));
    expect(regex.statusCode).toBe(200);
    expect(JSON.parse(regex.body)).toHaveLength(2);

    // the get events carry a placeholder id: point them at the uploaded model
    const id = JSON.parse(multipart.body).metadata.id;
    for (const name of ['artifact_get.json', 'artifact_get_metadata.json']) {
      const event = load(name);
      const placeholder = await handle(event);
      expect(placeholder.statusCode).toBe(404);
      event.path = event.path.replace(event.pathParameters.id, id);
      event.pathParameters.id = id;
      const res = await handle(event);
      expect(res.statusCode).toBe(200);
      expectSpec(name === 'artifact_get.json' ? 'Artifact' : 'ArtifactMetadata', JSON.parse(res.body));
    }
  });

  it('accepts the ingest-by-URL event (202) and the worker event', async () => {
    const res = await handle(load('artifact_ingest_url.json'));
    expect(res.statusCode, res.body).toBe(202);
    expect(JSON.parse(res.body).status.state).toBe('pending');
    const worker = createIngestWorkerHandler(async () => h.runtime.ingest);
    expect(await worker(load('ingest_worker.json'))).toMatchObject({ outcome: 'skipped' });
  });
});
