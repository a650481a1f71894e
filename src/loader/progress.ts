/**
 * Download progress: on a TTY a single redrawn bar (bytes, rate, ETA) on stderr; otherwise nothing
 * while it runs and one log line per table when it ends (Lambda logs stay one line per download).
 */
import { log } from '../log';

export interface Progress {
  add(bytes: number): void;
  /** The total, when it is learnt after the download started (from the first response). */
  setTotal(bytes: number): void;
  done(fields?: Record<string, unknown>): void;
}

export function createProgress(label: string, totalBytes: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  const t0 = performance.now();
  let bytes = 0;
  let total = totalBytes;
  let lastDraw = 0;
  const tty = Boolean(stream.isTTY) && process.env.LARDER_LOG_LEVEL !== 'silent';
  const draw = (final: boolean) => {
    const s = (performance.now() - t0) / 1000;
    const rate = s > 0 ? bytes / s : 0;
    const frac = total > 0 ? Math.min(1, bytes / total) : 1;
    const width = 24;
    const bar = '█'.repeat(Math.round(frac * width)).padEnd(width, '░');
    const eta = rate > 0 && !final ? `ETA ${((total - bytes) / rate).toFixed(1)}s` : `${s.toFixed(1)}s`;
    stream.write(`\r${label} ${bar} ${mib(bytes)}/${mib(total)} MiB ${mib(rate)} MiB/s ${eta}\x1b[K${final ? '\n' : ''}`);
  };
  return {
    add(n) {
      bytes += n;
      if (tty && performance.now() - lastDraw > 100) {
        lastDraw = performance.now();
        draw(false);
      }
    },
    setTotal(n) {
      total = n;
    },
    done(fields) {
      const ms = performance.now() - t0;
      if (tty) draw(true);
      log.info('downloaded', { what: label, bytes, ms: Math.round(ms), mibPerSec: Number((bytes / 2 ** 20 / Math.max(ms / 1000, 1e-3)).toFixed(1)), ...fields });
    },
  };
}

function mib(n: number): string {
  return (n / 2 ** 20).toFixed(1);
}
