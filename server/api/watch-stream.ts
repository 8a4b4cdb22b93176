import type { ServerResponse } from 'node:http';
import type { Clock } from '../meta/clock.js';
import { StatusError } from '../meta/errors.js';
import type { KubeObject } from '../meta/types.js';
import type { Registry, RegistryWatchEvent, WatchOptions } from '../registry/generic.js';
import { apiVersionOf, type ResourceRef } from '../registry/resource.js';
import type { Representation } from './negotiate.js';
import { objectBytes } from './serialize.js';
import { tableJson, type IncludeObject } from './table-output.js';

export interface WatchStreamOptions extends WatchOptions {
  allowWatchBookmarks: boolean;
  timeoutSeconds: number;
  bookmarkIntervalMs: number;
  representation: Representation;
  include: IncludeObject;
}

/** A client this far behind is cut off rather than buffered without bound, as the apiserver does. */
const maxBufferedBytes = 32 * 1024 * 1024;

/**
 * One event usually reaches every watcher of its resource, so its JSON line is built and encoded
 * once and the same bytes written to each stream. Stored objects never change in place, so the
 * object's identity plus the event type and served version identify the line. Built per watcher,
 * every event cost each watcher several string copies of the whole object and a UTF-8 encoding.
 */
const lineEnd = Buffer.from('}\n');
const lineCache = new WeakMap<KubeObject, { key: string; line: Buffer }>();

function jsonEventLine(registry: Registry, ref: ResourceRef, type: string, o: KubeObject): Buffer {
  const key = `${type} ${apiVersionOf(ref)}`;
  const hit = lineCache.get(o);
  if (hit?.key === key) return hit.line;
  const line = Buffer.concat([Buffer.from(`{"type":"${type}","object":`), objectBytes(registry, ref, o), lineEnd]);
  lineCache.set(o, { key, line });
  return line;
}

/**
 * Streams a watch as newline-delimited JSON events over a chunked response. Teardown hangs on
 * res 'close', because req 'close' fires in Node 20 once the body has been read.
 */
export function streamWatch(registry: Registry, clock: Clock, ref: ResourceRef, namespace: string | undefined, res: ServerResponse, opts: WatchStreamOptions): void {
  let firstTableEvent = true;
  let closed = false;
  res.statusCode = 200;
  res.setHeader('Content-Type', 'application/json');

  const write = (line: string | Buffer): void => {
    if (closed) return;
    res.write(typeof line === 'string' ? line + '\n' : line);
    if (res.writableLength > maxBufferedBytes) finish();
  };
  // Table rows carry AGE, so a Table event is built per watcher, at the time it is sent
  const tableEventLine = (version: 'v1' | 'v1beta1', type: string, o: KubeObject): string => {
    const t = tableJson(registry, ref, [o], { version, include: opts.include, now: clock.now(), withColumns: firstTableEvent });
    firstTableEvent = false;
    return `{"type":"${type}","object":${t}}`;
  };
  const bookmark = (rv: string, initialEventsEnd = false): string => JSON.stringify({
    type: 'BOOKMARK',
    object: {
      kind: ref.info.kind,
      apiVersion: ref.info.group ? `${ref.info.group}/${ref.version}` : ref.version,
      metadata: { resourceVersion: rv, ...(initialEventsEnd ? { annotations: { 'k8s.io/initial-events-end': 'true' } } : {}) },
    },
  });
  const onEvent = (e: RegistryWatchEvent): void => {
    switch (e.type) {
      case 'ADDED':
      case 'MODIFIED':
      case 'DELETED':
        write(opts.representation.kind === 'table'
          ? tableEventLine(opts.representation.version, e.type, e.object)
          : jsonEventLine(registry, ref, e.type, e.object));
        break;
      case 'BOOKMARK':
        write(bookmark(e.resourceVersion, e.initialEventsEnd));
        break;
      case 'ERROR':
        write(JSON.stringify({ type: 'ERROR', object: e.error.status }));
        finish();
        break;
    }
  };

  // Bad selectors throw before anything is written, so the caller answers with a plain Status. A
  // start past the kept history is, as in the Cacher, "a watch event of type ERROR, rather than a
  // directly returned error" once the request has been accepted.
  let handle: ReturnType<Registry['watch']>;
  try {
    handle = registry.watch(ref, namespace, opts, onEvent);
  } catch (e) {
    if (!(e instanceof StatusError && e.reason === 'Expired')) throw e;
    write(JSON.stringify({ type: 'ERROR', object: e.status }));
    closed = true;
    res.end();
    return;
  }
  if (!res.headersSent) res.flushHeaders();
  const timer = clock.setTimer(opts.timeoutSeconds * 1000, () => finish());
  function finish(): void {
    if (closed) return;
    closed = true;
    handle.stop();
    timer.cancel();
    res.end();
  }
  res.on('close', finish);
}
