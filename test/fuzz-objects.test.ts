import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { startKubemock, type RunningKubemock } from '../server/cli/cluster.js';
import { claimRanges, type ClaimedRanges } from './helpers/ranges.js';

/**
 * Valid objects of every kind the controllers act on, each with one random change somewhere inside
 * (a value replaced by another of any JSON type, a field removed, a list emptied), created, replaced,
 * patched (merge and strategic) and applied server-side, with the controllers running. Validation may refuse the result, the controllers may
 * find nothing to do, but the server answers every request below 500 and keeps serving.
 */

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const examples: { path: string; object: { [k: string]: Json } }[] = [
  {
    path: '/api/v1/namespaces/default/services',
    object: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc', labels: { app: 'a' } }, spec: { clusterIP: 'None', selector: { app: 'a' }, ports: [{ name: 'http', port: 8090, targetPort: 8090 }] } },
  },
  {
    path: '/api/v1/namespaces/default/services',
    object: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'np' }, spec: { type: 'NodePort', selector: { app: 'a' }, ports: [{ port: 80, targetPort: 'http', protocol: 'TCP' }], sessionAffinity: 'ClientIP' } },
  },
  {
    path: '/apis/apps/v1beta1/namespaces/default/statefulsets',
    object: {
      apiVersion: 'apps/v1beta1', kind: 'StatefulSet', metadata: { name: 'sts' },
      spec: {
        serviceName: 'svc', replicas: 2, podManagementPolicy: 'Parallel',
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable: 1 } },
        template: {
          metadata: { labels: { app: 'a' } },
          spec: {
            terminationGracePeriodSeconds: 0,
            containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80, name: 'http' }], volumeMounts: [{ name: 'data', mountPath: '/data' }], readinessProbe: { httpGet: { path: '/', port: 80 }, periodSeconds: 1 } }],
          },
        },
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Mi' } }, storageClassName: 'standard' } }],
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' },
      },
    },
  },
  {
    path: '/api/v1/namespaces/default/pods',
    object: {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pod', labels: { app: 'a' } },
      spec: { hostname: 'pod', subdomain: 'svc', containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'sleep 1'], env: [{ name: 'A', value: 'b' }], resources: { requests: { cpu: '10m' } } }], restartPolicy: 'OnFailure' },
    },
  },
  {
    path: '/api/v1/namespaces/default/persistentvolumeclaims',
    object: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'pvc' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'standard', volumeMode: 'Filesystem' } },
  },
  {
    path: '/api/v1/persistentvolumes',
    object: { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv' }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/tmp/pv' }, persistentVolumeReclaimPolicy: 'Delete', claimRef: { namespace: 'default', name: 'pvc' } } },
  },
  {
    path: '/api/v1/namespaces/default/endpoints',
    object: { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'manual' }, subsets: [{ addresses: [{ ip: '127.0.0.9', hostname: 'h' }], ports: [{ port: 80, name: 'http' }] }] },
  },
];

/** Every path to a value inside the object (metadata.name excluded, so the object stays addressable). */
function paths(value: Json, at: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = at.length ? [at] : [];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...at, i])));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...at, k]));
  return out.filter((p) => p.join('.') !== 'metadata.name' && p.join('.') !== 'apiVersion' && p.join('.') !== 'kind');
}

function mutate(object: { [k: string]: Json }, path: (string | number)[], replacement: Json | undefined): { [k: string]: Json } {
  const copy = structuredClone(object);
  let parent: Json = copy;
  for (const k of path.slice(0, -1)) parent = (parent as Record<string | number, Json>)[k];
  const last = path[path.length - 1];
  if (replacement === undefined) {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete (parent as Record<string, Json>)[last];
  } else (parent as Record<string | number, Json>)[last] = structuredClone(replacement);
  return copy;
}

const oddValues: fc.Arbitrary<Json | undefined> = fc.oneof(
  fc.constantFrom<Json | undefined>(undefined, null, '', 0, -1, 1, 2 ** 31 - 1, 2 ** 31, -(2 ** 31) - 1, 1.5, 1e308, true, false, [], {}, [null], [''], [{}], 'a'.repeat(300),
    '-1', '0', '1Gi', '-1Gi', 'Parallel', 'OnDelete', 'RollingUpdate', 'None', '127.0.0.1', '::1', 'x y', '/etc', '50%', '150%', '-5%', 'TCP', 'UDP', 'SCTP'),
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
);

function named(object: { [k: string]: Json }, name: string): void {
  const meta = object.metadata;
  if (meta && typeof meta === 'object' && !Array.isArray(meta)) meta.name = name;
  else object.metadata = { name };
}

interface Answer {
  status: number;
  text: string;
}

async function send(api: string, method: string, path: string, body: unknown, contentType = 'application/json'): Promise<Answer> {
  const res = await fetch(api + path, { method, headers: { 'content-type': contentType }, body: JSON.stringify(body) });
  return { status: res.status, text: await res.text() };
}

function check(what: string, a: Answer): void {
  assert.ok(a.status < 500, `${what} answered ${a.status}: ${a.text.slice(0, 400)}`);
}

describe('fuzzing valid objects with one random change, controllers running', { timeout: 300_000 }, () => {
  let km: RunningKubemock;
  let ranges: ClaimedRanges;
  before(async () => {
    ranges = await claimRanges();
    km = await startKubemock({
      port: 0, host: '127.0.0.1', logLevel: 'silent', grpcPort: null, dns: { port: 0 },
      cluster: { serviceCidr: ranges.serviceCidr },
      controllers: { podStartDelayMs: 0, podReadyDelayMs: 0, podStopDelayMs: 0, podCidr: ranges.podCidr },
    });
  });
  after(async () => {
    await km?.stop();
    ranges?.release();
  });

  test('create, replace and patch each mutated object: never a 5xx, never a crash', async () => {
    const deadline = Date.now() + 30_000;
    let n = 0;
    const change = fc.integer({ min: 0, max: examples.length - 1 }).chain((e) => {
      const all = paths(examples[e].object);
      return fc.tuple(fc.constant(e), fc.constantFrom(...all), oddValues);
    });
    await fc.assert(fc.asyncProperty(change, async ([e, path, value]) => {
      if (Date.now() > deadline) return;
      const example = examples[e];
      const name = `f${n++}`;
      const mutated = mutate(example.object, path, value);
      named(mutated, name);
      const where = `${example.path} with ${path.join('.')}=${JSON.stringify(value)}`;
      check(`POST ${where}`, await send(km.urls.api, 'POST', example.path, mutated));
      // the same change made to a valid object already stored: by PUT and by merge patch
      const valid = structuredClone(example.object);
      named(valid, `${name}-v`);
      const created = await send(km.urls.api, 'POST', example.path, valid);
      assert.equal(created.status, 201, `POST valid ${example.path}: ${created.text.slice(0, 300)}`);
      const item = `${example.path}/${name}-v`;
      const replaced = mutate(JSON.parse(created.text) as { [k: string]: Json }, path, value);
      check(`PUT ${where}`, await send(km.urls.api, 'PUT', item, replaced));
      const partial = mutate({ metadata: {} }, path.slice(0, 1), structuredClone(mutated[path[0]]) ?? null);
      check(`merge PATCH ${where}`, await send(km.urls.api, 'PATCH', item, partial, 'application/merge-patch+json'));
      check(`strategic PATCH ${where}`, await send(km.urls.api, 'PATCH', item, partial, 'application/strategic-merge-patch+json'));
      check(`PUT status ${where}`, await send(km.urls.api, 'PUT', `${item}/status`, replaced));
      // server-side apply of the whole changed object, over the stored one and as a new one
      const applied = { ...mutated, apiVersion: example.object.apiVersion, kind: example.object.kind };
      named(applied, `${name}-v`);
      check(`apply ${where}`, await send(km.urls.api, 'PATCH', `${item}?fieldManager=fuzz&force=true`, applied, 'application/apply-patch+yaml'));
      named(applied, `${name}-a`);
      check(`apply new ${where}`, await send(km.urls.api, 'PATCH', `${example.path}/${name}-a?fieldManager=fuzz`, applied, 'application/apply-patch+yaml'));
    }), { numRuns: 300, verbose: 1, asyncReporter: async (details) => {
      if (details.failed) throw new Error(`${fc.defaultReportMessage(details)}\n${String(details.errorInstance)}`);
    } });
    await km.controllersIdle();
    const answer = await send(km.urls.api, 'GET', '/api/v1/namespaces/default/pods', undefined);
    assert.equal(answer.status, 200);
  });
});
