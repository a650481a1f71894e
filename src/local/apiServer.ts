/** `larder start-api` lives in src/local/api/ (one module per concern); this name stays for existing imports. */
export { startApiServer, type ApiServer, type ApiServerOptions } from './api/server';
