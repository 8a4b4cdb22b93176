import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { startKubemock, type RunningKubemock } from '../server/cli/cluster.js';
import { maxNestingDepth } from '../server/api/body.js';

/**
 * Malformed and hostile requests against every endpoint and kind: the server must never crash,
 * never answer 5xx, answer every failure with a JSON Status, and keep Object.prototype clean.
 * Bounded by a run count and a deadline; the seed is printed by fast-check on failure, and
 * FUZZ_SEED=<seed> FUZZ_PATH=<path> replays that run.
 */

const prototypeKeysBefore = Object.getOwnPropertyNames(Object.prototype).sort();

interface Answer {
  status: number;
  contentType: string;
  body: Buffer;
  streamed: boolean;
}

type Request = { method: string; path: string; headers: Record<string, string>; body?: Buffer };

/**
 * One request; a connection the server closed before the client finished sending (it may answer
 * early and hang up, as Go's server does) is retried once, and a second failure is a real failure.
 */
async function send(base: string, req: Request): Promise<Answer> {
  try {
    return await sendOnce(base, req);
  } catch {
    return sendOnce(base, { ...req, headers: { ...req.headers, connection: 'close' } });
  }
}

async function sendOnce(base: string, req: Request): Promise<Answer> {
  const ctrl = new AbortController();
  const res = await fetch(`${base}${req.path}`, {
    method: req.method, headers: req.headers, body: req.method === 'GET' || req.method === 'HEAD' || !req.body ? undefined : new Uint8Array(req.body), signal: ctrl.signal,
  });
  const contentType = res.headers.get('content-type') ?? '';
  // Watches (and other streams) stay open: read what is there, then hang up.
  const streamed = /watch|stream/.test(contentType) || res.headers.get('transfer-encoding') === 'chunked' && /watch=|\/watch\//.test(req.path);
  if (streamed) {
    ctrl.abort();
    return { status: res.status, contentType, body: Buffer.alloc(0), streamed };
  }
  const timer = setTimeout(() => ctrl.abort(), 5_000);
  try {
    return { status: res.status, contentType, body: Buffer.from(await res.arrayBuffer()), streamed };
  } catch {
    return { status: res.status, contentType, body: Buffer.alloc(0), streamed: true };
  } finally {
    clearTimeout(timer);
  }
}

/** Endpoints whose successful answers are not JSON Status/objects by design. */
function exemptFromStatusShape(path: string): boolean {
  return /^\/openapi\//.test(path) || /\/(log|exec|attach|portforward|proxy)(\?|\/|$)/.test(path) || /^\/(healthz|livez|readyz)/.test(path);
}

/** kube-apiserver's one deliberate 5xx on bad input: a list at a resourceVersion the store has not reached. */
function isTooLargeResourceVersion(a: Answer): boolean {
  if (a.status !== 504) return false;
  const s = JSON.parse(a.body.toString('utf8')) as { reason?: string; details?: { causes?: { reason?: string }[] } };
  return s.reason === 'Timeout' && s.details?.causes?.[0]?.reason === 'ResourceVersionTooLarge';
}

/** Groups the server serves; /api/... and /apis/<one of them>/... belong to the API router, whose 404 is a Status. */
let servedGroups = new Set<string>();

function routerOwns(path: string): boolean {
  // judged as sent: fetch resolves dot segments ("/apis/apps/.." is "/apis/")
  const p = new URL(`http://kubemock${path}`).pathname;
  if (p.startsWith('/api/')) return true;
  const group = /^\/apis\/([^/]+)\//.exec(p)?.[1];
  return group !== undefined && servedGroups.has(group);
}

function checkAnswer(path: string, method: string, a: Answer): void {
  assert.ok(a.status < 500 || isTooLargeResourceVersion(a), `${method} ${path} answered ${a.status}: ${a.body.toString('utf8').slice(0, 300)}`);
  if (a.streamed || method === 'HEAD' || exemptFromStatusShape(path)) return;
  if (a.status === 404 && !routerOwns(path)) {
    // kube-apiserver's last handler, Go's http.NotFound, for what its API router does not own
    assert.equal(a.body.toString('utf8'), '404 page not found\n', `${method} ${path}`);
    return;
  }
  if (a.status >= 400) {
    let parsed: { kind?: unknown; code?: unknown };
    try {
      parsed = JSON.parse(a.body.toString('utf8')) as typeof parsed;
    } catch {
      assert.fail(`${method} ${path} answered ${a.status} without JSON: ${a.body.toString('utf8').slice(0, 200)}`);
    }
    assert.equal(parsed.kind, 'Status', `${method} ${path}: ${a.body.toString('utf8').slice(0, 200)}`);
    assert.equal(parsed.code, a.status);
  }
}

function nested(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

const hostileObjects = [
  '{"__proto__":{"polluted":"yes"},"metadata":{"name":"p1","__proto__":{"polluted":"yes"}}}',
  '{"constructor":{"prototype":{"polluted":"yes"}},"metadata":{"name":"c1","labels":{"__proto__":"x"}}}',
  '{"metadata":{"name":"x","annotations":{"constructor":"y","prototype":"z","__proto__":{"a":"b"}}},"data":{"__proto__":"v"}}',
  '[{"op":"add","path":"/__proto__/polluted","value":"yes"}]',
  '[{"op":"add","path":"/metadata/__proto__","value":{"polluted":"yes"}}]',
  '[{"op":"replace","path":"/constructor/prototype/polluted","value":"yes"}]',
  '{"metadata":{"name":"n","$patch":"replace","$retainKeys":["__proto__"]},"$setElementOrder/__proto__":[{"a":1}]}',
];

describe('fuzzing every endpoint and kind', { timeout: 300_000 }, () => {
  let km: RunningKubemock;
  let paths: string[];
  before(async () => {
    km = await startKubemock({ port: 0, host: '127.0.0.1', logLevel: 'silent', grpcPort: null, dns: { port: null }, controllers: { enabled: false } });
    const ns = 'default';
    servedGroups = new Set(km.registry.resources.map((r) => r.group).filter((g) => g));
    paths = ['/', '/api', '/apis', '/api/v1', '/version', '/healthz', '/openapi/v2', '/openapi/v3', '/apis/apps', '/apis/apps/v1', '/apis/nope/v1/things', '/metrics'];
    for (const r of km.registry.resources) {
      for (const v of r.versions) {
        const gv = r.group ? `/apis/${r.group}/${v.name}` : `/api/${v.name}`;
        const coll = r.namespaced ? `${gv}/namespaces/${ns}/${r.resource}` : `${gv}/${r.resource}`;
        paths.push(coll, `${coll}/x1`, `${coll}/x1/status`, `${coll}/x1/scale`, `${gv}/${r.resource}`, `${gv}/watch/${r.resource}`);
      }
    }
  });
  after(async () => {
    await km?.stop();
  });

  test('hand-picked hostile bodies on every kind', async () => {
    const contentTypes = ['application/json', 'application/merge-patch+json', 'application/json-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];
    const collections = paths.filter((p) => !/\/x1/.test(p) && /\/(api|apis)\/.+\/[a-z]+$/.test(p));
    for (const coll of collections) {
      for (const body of [...hostileObjects, nested(20_000), '{"metadata":{"name":"t"', '\u0000', '']) {
        checkAnswer(coll, 'POST', await send(km.urls.api, { method: 'POST', path: coll, headers: { 'content-type': 'application/json' }, body: Buffer.from(body) }));
      }
      for (const ct of contentTypes) {
        for (const body of hostileObjects) {
          const path = `${coll}/x1`;
          checkAnswer(path, 'PATCH', await send(km.urls.api, { method: 'PATCH', path: `${path}?fieldManager=f`, headers: { 'content-type': ct }, body: Buffer.from(body) }));
        }
      }
    }
    // Invalid UTF-8, and a body over kube's 3 MiB request limit.
    const invalidUtf8 = Buffer.concat([Buffer.from('{"metadata":{"name":"u'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}}')]);
    checkAnswer('/api/v1/namespaces/default/configmaps', 'POST', await send(km.urls.api, { method: 'POST', path: '/api/v1/namespaces/default/configmaps', headers: { 'content-type': 'application/json' }, body: invalidUtf8 }));
    const huge = Buffer.from(JSON.stringify({ metadata: { name: 'huge' }, data: { a: 'x'.repeat(4 * 1024 * 1024) } }));
    const big = await send(km.urls.api, { method: 'POST', path: '/api/v1/namespaces/default/configmaps', headers: { 'content-type': 'application/json' }, body: huge });
    checkAnswer('/api/v1/namespaces/default/configmaps', 'POST', big);
    assert.equal(big.status, 413);
  });

  test('undecodable path segments under every path: 404 or 400 as a Status, never 500', async () => {
    for (const base of paths) {
      for (const seg of ['%ff', '%c3%28', '%e2%82']) {
        const path = `${base.replace(/\/$/, '')}/${seg}`;
        const answer = await send(km.urls.api, { method: 'GET', path, headers: {} });
        checkAnswer(path, 'GET', answer);
        // under /watch/ a name is a watch of that one object, which may not exist yet (kube: 200, a stream)
        const allowed = base.includes('/watch/') ? [200, 400, 404, 405] : [400, 404, 405];
        assert.ok(allowed.includes(answer.status), `GET ${path}: ${answer.status}`);
      }
    }
  });

  test('nesting just inside the depth limit on every write path: an answer below 500, never a stack overflow', async () => {
    const deep = (d: number): unknown => JSON.parse(nested(d)) as unknown;
    const depth = maxNestingDepth - 4; // the object, its field and the wrapper take the rest
    const item = (kind: string): string[] => paths.filter((p) => new RegExp(`/${kind}/x1$`).test(p));
    for (const path of [...item('pods'), ...item('statefulsets'), ...item('configmaps'), ...item('services')]) {
      const coll = path.slice(0, -'/x1'.length);
      const obj = { metadata: { name: 'x1', labels: { a: 'b' } }, spec: { deep: deep(depth) }, data: { deep: deep(depth) }, status: { deep: deep(depth) } };
      const json = Buffer.from(JSON.stringify(obj));
      const yaml = Buffer.from(JSON.stringify(obj)); // JSON is YAML
      const jsonPatch = Buffer.from(JSON.stringify([{ op: 'add', path: '/metadata/annotations', value: { a: deep(depth) } }]));
      const tries: [string, string, string, Buffer][] = [
        ['POST', coll, 'application/json', json], ['PUT', path, 'application/json', json], ['PUT', `${path}/status`, 'application/json', json],
        ['PATCH', path, 'application/merge-patch+json', json], ['PATCH', path, 'application/strategic-merge-patch+json', json],
        ['PATCH', path, 'application/json-patch+json', jsonPatch], ['PATCH', `${path}?fieldManager=f`, 'application/apply-patch+yaml', yaml],
        ['POST', coll, 'application/yaml', Buffer.from(`metadata: {name: y1}\nspec: ${nested(maxNestingDepth + 10)}\n`)],
      ];
      for (const [method, p, ct, body] of tries) {
        const answer = await send(km.urls.api, { method, path: p, headers: { 'content-type': ct }, body });
        checkAnswer(p, method, answer);
        const refused = answer.body.toString('utf8').includes('exceeded max depth');
        assert.equal(refused, ct === 'application/yaml', `${method} ${p} (${ct}): ${answer.status} ${answer.body.toString('utf8').slice(0, 200)}`);
        if (refused) assert.equal(answer.status, 400);
      }
    }
  });

  test('random methods, paths, queries, content types and bodies', async () => {
    const deadline = Date.now() + 120_000;
    const segment = fc.oneof(
      fc.constantFrom('x1', '..', '.', '%2e%2e', '%00', '%ff', '%c3%28', '__proto__', 'constructor', 'prototype', 'namespaces', 'default', 'watch', 'status', 'scale', 'log', 'exec', 'finalize', 'binding', 'eviction', ''),
      fc.string({ maxLength: 12 }).map(encodeURIComponent),
    );
    const path = fc.oneof(
      fc.constantFrom(...paths),
      fc.tuple(fc.constantFrom(...paths), fc.array(segment, { maxLength: 3 })).map(([p, extra]) => [p, ...extra].join('/')),
      fc.array(segment, { minLength: 1, maxLength: 6 }).map((s) => `/${s.join('/')}`),
    );
    const queryKey = fc.constantFrom('watch', 'labelSelector', 'fieldSelector', 'limit', 'continue', 'resourceVersion', 'resourceVersionMatch', 'dryRun',
      'fieldManager', 'fieldValidation', 'propagationPolicy', 'timeoutSeconds', 'force', 'gracePeriodSeconds', 'orphanDependents', 'allowWatchBookmarks',
      'sendInitialEvents', 'pretty', 'container', 'follow', 'tailLines', 'sinceSeconds', '__proto__', 'constructor');
    const queryValue = fc.oneof(fc.constantFrom('', '0', '1', '-1', 'true', 'All', 'Strict', 'x=y', 'a in (b)', '!a', 'metadata.name=x', '99999999999999999999', '18446744073709551615', '99999999', 'NaN', '%ff'), fc.string({ maxLength: 16 }));
    const query = fc.array(fc.tuple(queryKey, queryValue), { maxLength: 4 });
    const contentType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'application/merge-patch+json', 'application/json-patch+json',
      'application/strategic-merge-patch+json', 'application/apply-patch+yaml', 'application/yaml', 'application/vnd.kubernetes.protobuf',
      'text/plain', 'multipart/form-data; boundary=x', '', 'application/json;charset=latin1', '*/*');
    const accept = fc.constantFrom('application/json', 'application/json;as=Table;v=v1;g=meta.k8s.io', 'application/vnd.kubernetes.protobuf', 'application/yaml', '*/*', 'text/html', 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList', '');
    const jsonValue = fc.jsonValue({ maxDepth: 4 });
    const body = fc.oneof(
      jsonValue.map((v) => Buffer.from(JSON.stringify(v))),
      fc.record({ metadata: fc.record({ name: fc.constantFrom('x1', 'X!', '', 'a'.repeat(300)), namespace: fc.constantFrom('default', 'other', ''), labels: fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 })) }, { requiredKeys: [] }), spec: jsonValue, data: jsonValue, status: jsonValue }, { requiredKeys: [] }).map((o) => Buffer.from(JSON.stringify(o))),
      fc.constantFrom(...hostileObjects).map((s) => Buffer.from(s)),
      fc.integer({ min: 1, max: 5000 }).map((d) => Buffer.from(nested(d))),
      jsonValue.map((v) => { const t = JSON.stringify(v); return Buffer.from(t.slice(0, Math.max(0, t.length - 1))); }),
      fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
      fc.constant(Buffer.alloc(0)),
    );
    const request = fc.record({
      method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'),
      path, query, contentType, accept, body,
    });
    let runs = 0;
    await fc.assert(fc.asyncProperty(request, async (r) => {
      if (Date.now() > deadline) return; // bounded in time as well as in count
      runs++;
      const qs = r.query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
      // A watch with no timeout would stay open until we hang up; ask for a short one.
      const fullPath = `${r.path}${qs ? `?${qs}&timeoutSeconds=1` : ''}`;
      const headers: Record<string, string> = {};
      if (r.contentType) headers['content-type'] = r.contentType;
      if (r.accept) headers.accept = r.accept;
      const answer = await send(km.urls.api, { method: r.method, path: fullPath, headers, body: r.body });
      checkAnswer(fullPath, r.method, answer);
    }), { numRuns: 400, ...(process.env.FUZZ_SEED ? { seed: Number(process.env.FUZZ_SEED), path: process.env.FUZZ_PATH } : {}) });
    assert.ok(runs > 0);
    // The server still serves.
    assert.equal((await send(km.urls.api, { method: 'GET', path: '/api/v1/namespaces', headers: {} })).status, 200);
  });

  test('Object.prototype is untouched', () => {
    assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), prototypeKeysBefore);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
