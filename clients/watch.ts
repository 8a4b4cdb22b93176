import { KubemockApiError, isStatus, type Status } from './errors.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

/** A bookmark carries only the resource version to resume from (and the initial-events-end annotation). */
export interface BookmarkObject {
  apiVersion?: string;
  kind?: string;
  metadata: { resourceVersion: string; annotations?: Record<string, string> };
}

export type WatchEvent<T> =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: T }
  | { type: 'BOOKMARK'; object: BookmarkObject };

export interface WatchOptions {
  /** Stops the watch; the iteration then ends without an error. */
  signal?: AbortSignal;
  /** Also yield BOOKMARK events (they are always requested, to keep resourceVersion current). */
  yieldBookmarks?: boolean;
}

/** A running watch: iterate it for events; resourceVersion is where to resume after it ends. */
export interface Watch<T> extends AsyncIterable<WatchEvent<T>> {
  readonly resourceVersion: string | undefined;
  stop(): void;
}

interface RawEvent {
  type: string;
  object: unknown;
}

/** Splits a byte stream into JSON lines; the apiserver writes exactly one event per line. */
async function* jsonLines(body: ReadableStream<Uint8Array>): AsyncGenerator<RawEvent> {
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of body) {
    buffered += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl).trim();
      buffered = buffered.slice(nl + 1);
      if (line) yield JSON.parse(line) as RawEvent;
    }
  }
  const rest = (buffered + decoder.decode()).trim();
  if (rest) yield JSON.parse(rest) as RawEvent;
}

function resourceVersionOf(object: unknown): string | undefined {
  const meta = (object as { metadata?: { resourceVersion?: unknown } } | null)?.metadata;
  return typeof meta?.resourceVersion === 'string' ? meta.resourceVersion : undefined;
}

/**
 * Opens `url` (a list URL with watch=1 already in its query) and yields its events. An ERROR event
 * (410 Gone when the resource version is too old, for instance) is thrown as a KubemockApiError carrying its Status.
 */
export function openWatch<T>(url: string, init: { fetch: typeof fetch; headers: Record<string, string> }, opts: WatchOptions = {}): Watch<T> {
  const controller = new AbortController();
  const onAbort = (): void => controller.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  if (opts.signal?.aborted) controller.abort();
  let resourceVersion: string | undefined;

  async function* run(): AsyncGenerator<WatchEvent<T>> {
    try {
      const response = await init.fetch(url, { headers: { Accept: 'application/json', ...init.headers }, signal: controller.signal });
      if (!response.ok || !response.body) {
        const text = await response.text();
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON: keep the text as the message
        }
        throw KubemockApiError.fromBody(response.status, body, response.statusText);
      }
      for await (const e of jsonLines(response.body)) {
        if (e.type === 'ERROR') {
          const status: Status = isStatus(e.object) ? e.object : { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: JSON.stringify(e.object) };
          throw new KubemockApiError(status);
        }
        resourceVersion = resourceVersionOf(e.object) ?? resourceVersion;
        if (e.type === 'BOOKMARK') {
          if (opts.yieldBookmarks) yield { type: 'BOOKMARK', object: e.object as BookmarkObject };
          continue;
        }
        if (e.type === 'ADDED' || e.type === 'MODIFIED' || e.type === 'DELETED') yield { type: e.type, object: e.object as T };
      }
    } catch (err) {
      if (controller.signal.aborted) return;
      throw err;
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
      controller.abort();
    }
  }

  const events = run();
  return {
    get resourceVersion() {
      return resourceVersion;
    },
    stop: () => controller.abort(),
    [Symbol.asyncIterator]: () => events,
  };
}
