/**
 * One JSON line per entry on stderr (CloudWatch picks up both streams in Lambda; stdout stays free for
 * CLI output). Silence with LARDER_LOG_LEVEL=silent; tests usually set it to warn.
 */
type Level = 'debug' | 'info' | 'warn' | 'error';
const order: Record<Level | 'silent', number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

function threshold(): number {
  const v = (process.env.LARDER_LOG_LEVEL ?? 'info').toLowerCase() as Level | 'silent';
  return order[v] ?? order.info;
}

function emit(level: Level, message: string, fields?: Record<string, unknown>): void {
  if (order[level] < threshold()) return;
  const entry = { level: level.toUpperCase(), message, timestamp: new Date().toISOString(), ...fields };
  process.stderr.write(JSON.stringify(entry) + '\n');
}

export const log = {
  debug: (m: string, f?: Record<string, unknown>) => emit('debug', m, f),
  info: (m: string, f?: Record<string, unknown>) => emit('info', m, f),
  warn: (m: string, f?: Record<string, unknown>) => emit('warn', m, f),
  error: (m: string, f?: Record<string, unknown>) => emit('error', m, f),
};
