import type { Duplex } from 'node:stream';
import { isStatusError } from '../../meta/errors.js';
import { getPod, requireRunningPod, type PodStreamDeps } from './pod-target.js';
import type { SpdySession, SpdyStream } from './spdy-session.js';

export const portForwardProtocol = 'portforward.k8s.io';
/** The subprotocol kubectl 1.31+ asks for when it tunnels SPDY through a WebSocket. */
export const tunneledPortForwardProtocol = 'SPDY/3.1+portforward.k8s.io';

/** Checks the pod before the upgrade is accepted. */
export async function preparePortForward(deps: PodStreamDeps, namespace: string, name: string): Promise<void> {
  requireRunningPod(await getPod(deps.registry, namespace, name));
}

interface StreamPair {
  data?: SpdyStream;
  error?: SpdyStream;
  started: boolean;
}

/**
 * port-forward over SPDY (kubelet portforward/httpstream.go): per forwarded connection the client opens an
 * `error` and a `data` stream sharing a `requestid` and naming the `port`. Once both exist we dial the port through
 * PodStreams and copy bytes both ways. At the end both streams are FIN'd: client-go waits for EOF on the error
 * stream, and any text written there before is reported as the forwarding error.
 */
export function servePortForward(deps: PodStreamDeps, session: SpdySession, namespace: string, pod: string): void {
  const pairs = new Map<string, StreamPair>();
  session.on('stream', (stream) => {
    const type = stream.headers.streamtype;
    // Clients before requestid existed got pairs by stream id: error stream first, data stream next.
    const requestId = stream.headers.requestid ?? String(type === 'error' ? stream.id : stream.id - 2);
    if (type !== 'error' && type !== 'data') {
      stream.reset();
      return;
    }
    const pair = pairs.get(requestId) ?? { started: false };
    pairs.set(requestId, pair);
    if (pair[type]) {
      stream.reset();
      return;
    }
    pair[type] = stream;
    if (pair.data && pair.error && !pair.started) {
      pair.started = true;
      void forward(deps, namespace, pod, pair.data, pair.error).finally(() => pairs.delete(requestId));
    }
  });
}

async function forward(deps: PodStreamDeps, namespace: string, pod: string, data: SpdyStream, error: SpdyStream): Promise<void> {
  const portText = data.headers.port ?? '';
  const port = Number(portText);
  const fail = (message: string): void => {
    error.finish(message);
    data.finish();
  };
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) {
    return fail(`invalid port header "${portText}"`);
  }
  let conn: Duplex;
  try {
    conn = await deps.streams.portForward(namespace, pod, port);
  } catch (err) {
    const detail = isStatusError(err) ? err.status.message : err instanceof Error ? err.message : String(err);
    return fail(`error forwarding port ${port} to pod ${pod}: ${detail}`);
  }
  if (data.wasReset) {
    conn.destroy();
    error.finish();
    return;
  }
  await relay(conn, data, error, port, pod);
}

/** Copies until the pod side closes or the client resets the stream; a client FIN half-closes towards the pod. */
function relay(conn: Duplex, data: SpdyStream, error: SpdyStream, port: number, pod: string): Promise<void> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (message?: string): void => {
      if (done) return;
      done = true;
      error.finish(message);
      data.finish();
      conn.destroy();
      resolve();
    };
    conn.on('data', (chunk: Buffer) => {
      if (!data.wasReset && !data.localClosed) data.write(chunk);
    });
    conn.on('end', () => finish());
    conn.on('close', () => finish());
    conn.on('error', (err: Error) => finish(`error forwarding port ${port} to pod ${pod}: ${err.message}`));
    data.on('data', (chunk: Buffer) => {
      if (!conn.writableEnded && !conn.destroyed) conn.write(chunk);
    });
    data.on('end', () => {
      if (!conn.destroyed) conn.end();
    });
    data.on('reset', () => finish());
    error.on('reset', () => finish());
  });
}
