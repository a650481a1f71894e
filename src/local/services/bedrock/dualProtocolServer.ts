/**
 * One TCP port that speaks both HTTP/1.1 and cleartext HTTP/2 (h2c with prior knowledge).
 *
 * Why: BedrockRuntimeClient's default request handler is NodeHttp2Handler (bedrock-runtime has
 * bidirectional-streaming operations), so against an `http://` endpoint the real SDK opens an h2c
 * connection; curl, fetch and clients configured with NodeHttpHandler speak HTTP/1.1. Node's http2
 * server falls back to HTTP/1 only behind TLS (ALPN), so we look at each connection's first bytes:
 * the HTTP/2 client preface starts with "PRI * HTTP/2.0", anything else is HTTP/1. The sniffed
 * bytes are put back (`unshift`) before the socket is handed to the matching server.
 */
import { createServer as createHttp1Server, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttp2Server, type Http2ServerRequest, type Http2ServerResponse, type Http2Session } from 'node:http2';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';

export type DualRequest = IncomingMessage | Http2ServerRequest;
export type DualResponse = ServerResponse | Http2ServerResponse;
export type DualHandler = (req: DualRequest, res: DualResponse) => void;

const H2_PREFACE_START = Buffer.from('PRI * HTTP/2.0');

export interface DualProtocolServer {
  tcp: TcpServer;
  /** Stops accepting, ends every open connection and HTTP/2 session, resolves when closed. */
  close(): Promise<void>;
}

export function createDualProtocolServer(handler: DualHandler): DualProtocolServer {
  const http1 = createHttp1Server(handler as (req: IncomingMessage, res: ServerResponse) => void);
  http1.keepAliveTimeout = 30_000;
  const http2 = createHttp2Server({}, handler as (req: Http2ServerRequest, res: Http2ServerResponse) => void);
  const sockets = new Set<Socket>();
  const sessions = new Set<Http2Session>();
  http2.on('session', (session: Http2Session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });

  const tcp = createTcpServer((socket) => {
    // A raw net.Server leaves Nagle's algorithm on (node:http turns it off); with small HTTP/2 frames
    // it meets the client's delayed ACK and adds ~40 ms to a request.
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    sniff(socket, (isHttp2) => (isHttp2 ? http2 : http1).emit('connection', socket));
  });

  return {
    tcp,
    close: () =>
      new Promise<void>((resolve, reject) => {
        if (!tcp.listening) return resolve();
        tcp.close((error) => (error ? reject(error) : resolve()));
        for (const session of sessions) session.destroy();
        http1.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      }),
  };
}

/** Reads until the first bytes decide the protocol, then puts them back and calls `route`. */
function sniff(socket: Socket, route: (isHttp2: boolean) => void): void {
  let head = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    head = Buffer.concat([head, chunk]);
    const n = Math.min(head.length, H2_PREFACE_START.length);
    const prefixMatches = head.subarray(0, n).equals(H2_PREFACE_START.subarray(0, n));
    if (prefixMatches && head.length < H2_PREFACE_START.length) return; // need more bytes to decide
    socket.off('data', onData);
    socket.pause();
    socket.unshift(head);
    route(prefixMatches);
    process.nextTick(() => socket.resume());
  };
  socket.on('data', onData);
}
