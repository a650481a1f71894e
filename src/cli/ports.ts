/**
 * Ports the commands' own servers (API, Lambda Invoke API) will listen on, checked before anything
 * starts: a busy port fails at once, naming the port, what wanted it and the flag that changes it,
 * instead of after the local services took seconds to start.
 */
import { LarderError, ValidationError } from '../errors';
import { isPortFree } from '../local/services/process';

export interface PortWanted {
  port: number;
  host: string;
  /** What listens there, e.g. "the API". */
  what: string;
  /** The flag that changes it, e.g. "--port". */
  flag: string;
}

export function parsePort(value: string | undefined, flag: string): number {
  const port = Number(value);
  if (value === undefined || value.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ValidationError(`${flag}: expected a port number 0–65535 (0 = any free port), found "${value}"`);
  }
  return port;
}

export async function ensurePortsFree(wanted: PortWanted[]): Promise<void> {
  for (const w of wanted) {
    if (w.port === 0) continue;
    if (!(await isPortFree(w.host, w.port))) {
      throw new LarderError(
        'PORT_IN_USE',
        `port ${w.port} on ${w.host} (${w.what}) is already in use; stop whatever listens there or choose another port with ${w.flag} (0 = any free port)`,
        { details: { port: w.port, host: w.host, flag: w.flag } },
      );
    }
  }
}
