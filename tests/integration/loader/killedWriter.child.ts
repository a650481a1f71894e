/**
 * A loader process for faults.test.ts to kill mid-download: loads the embeddings of the fixture
 * named by the env (LARDER_CONFIG, LARDER_BUCKET, LARDER_CACHE_DIR, endpoints) through S3 into the
 * /tmp cache. The test slows its GETs with a fault rule and SIGKILLs it once its temp file exists.
 */
import { loadConfig } from '../../../src/config';
import { createDataLoader } from '../../../src/loader';

const config = loadConfig(undefined, process.env);
await createDataLoader(config).embeddings();
console.log('finished');
