/**
 * The sandbox's log, as Lambda's runtime writes it: console.* becomes
 * `<ISO time>\t<request id>\t<LEVEL>\t<message>`, and anything written straight to stdout/stderr is
 * passed through line by line. Both go to the supervisor over the IPC channel rather than through
 * the pipes, so they stay in order with the invocation's result: a line written just before the
 * handler returns lands before END/REPORT and inside `--log-type Tail`, as in Lambda.
 */
import { format } from 'node:util';

export function installLogCapture({ send, requestId }) {
  const levels = { log: 'INFO', info: 'INFO', warn: 'WARN', error: 'ERROR', debug: 'DEBUG', trace: 'TRACE' };
  for (const [method, level] of Object.entries(levels)) {
    console[method] = (...args) => {
      send({ type: 'log', line: `${new Date().toISOString()}\t${requestId() ?? 'undefined'}\t${level}\t${format(...args)}` });
    };
  }
  const partial = { stdout: '', stderr: '' };
  for (const name of ['stdout', 'stderr']) {
    const stream = process[name];
    const original = stream.write.bind(stream);
    stream.write = (chunk, encoding, callback) => {
      if (typeof encoding === 'function') [callback, encoding] = [encoding, undefined];
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString(typeof encoding === 'string' ? encoding : 'utf8');
      if (!process.connected) return original(chunk, encoding, callback);
      partial[name] += text;
      let nl;
      while ((nl = partial[name].indexOf('\n')) >= 0) {
        send({ type: 'log', line: partial[name].slice(0, nl) });
        partial[name] = partial[name].slice(nl + 1);
      }
      if (callback) process.nextTick(callback);
      return true;
    };
  }
  /** Sends what is left of an unterminated line (called before each result). */
  return function flush() {
    for (const name of ['stdout', 'stderr']) {
      if (partial[name]) send({ type: 'log', line: partial[name] });
      partial[name] = '';
    }
  };
}
