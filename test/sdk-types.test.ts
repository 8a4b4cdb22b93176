/**
 * Type-level contract of the generated SDK: `npm test` typechecks this file (tsc over test/), so every
 * `@ts-expect-error` below must still be an error, and every plain line must still compile. The few
 * runtime assertions check the helpers these types describe.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  applyPatch, createKubemockClient, jsonPatch, labelSelector, mergePatch, strategicMergePatch,
  type ItemOf, type ResponseOf, type StatefulSet, type Status, type WatchEvent,
} from '../clients/index.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(_proof?: T): void {}

const spec = {
  serviceName: 'web',
  selector: { matchLabels: { app: 'web' } },
  template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
};

// A complete apps/v1 StatefulSet type-checks.
export const good: StatefulSet = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web' }, spec };

// apps/v1 requires spec.selector (and serviceName, template): the SDK's types reject a StatefulSet without it.
const { selector: _dropped, ...specWithoutSelector } = spec;
// @ts-expect-error spec.selector is required in apps/v1
export const noSelector: StatefulSet = { metadata: { name: 'web' }, spec: specWithoutSelector };

// @ts-expect-error spec.replicas is an int32, not a string
export const stringReplicas: StatefulSet = { metadata: { name: 'web' }, spec: { ...spec, replicas: 'two' } };

// IntOrString accepts both forms.
export const svcPorts: NonNullable<NonNullable<ResponseOf<'/api/v1/namespaces/{namespace}/services/{name}', 'get'>['spec']>['ports']> = [
  { port: 80, targetPort: 8080 },
  { port: 81, targetPort: 'http' },
];

// Response and list item types follow the path.
assertType<Equal<ResponseOf<'/apis/apps/v1/namespaces/{namespace}/statefulsets/{name}', 'get'>, StatefulSet>>();
assertType<Equal<ItemOf<'/apis/apps/v1/namespaces/{namespace}/statefulsets'>, StatefulSet>>();

/** Never called: the calls only need to type-check (or fail to). */
export async function typedCalls(): Promise<void> {
  const km = createKubemockClient({ baseUrl: 'http://127.0.0.1:1' });
  const ns = { namespace: 'default' };
  const created = await km.POST('/apis/apps/v1/namespaces/{namespace}/statefulsets', { params: { path: ns }, body: good });
  assertType<Equal<typeof created, StatefulSet>>();
  // @ts-expect-error the POST body must be a complete StatefulSet
  await km.POST('/apis/apps/v1/namespaces/{namespace}/statefulsets', { params: { path: ns }, body: noSelectorBody() });
  // @ts-expect-error the path parameter namespace is required
  await km.GET('/apis/apps/v1/namespaces/{namespace}/statefulsets/{name}', { params: { path: { name: 'web' } } });
  // @ts-expect-error not a path the API serves
  await km.GET('/apis/apps/v1/namespaces/{namespace}/deployments');

  const scaled = await km.patch('/apis/apps/v1/namespaces/{namespace}/statefulsets/{name}', { path: { ...ns, name: 'web' } }, mergePatch({ spec: { replicas: 1 } }));
  assertType<Equal<typeof scaled, StatefulSet>>();
  await km.patch('/apis/apps/v1/namespaces/{namespace}/statefulsets/{name}', { path: { ...ns, name: 'web' } }, strategicMergePatch({ metadata: { labels: { tier: null } } }));
  await km.patch('/apis/apps/v1/namespaces/{namespace}/statefulsets/{name}', { path: { ...ns, name: 'web' } }, jsonPatch([{ op: 'replace', path: '/spec/replicas', value: 3 }]));
  await km.patch('/apis/apps/v1/namespaces/{namespace}/statefulsets/{name}', { path: { ...ns, name: 'web' } },
    applyPatch({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web' }, spec: { replicas: 2 } }, { fieldManager: 'me' }));
  // @ts-expect-error a merge patch is typed by its target: replicas is a number
  await km.patch('/apis/apps/v1/namespaces/{namespace}/statefulsets/{name}', { path: { ...ns, name: 'web' } }, mergePatch({ spec: { replicas: 'one' } }));

  for await (const e of km.watch('/api/v1/namespaces/{namespace}/pods', { path: ns, query: { labelSelector: labelSelector({ app: 'web' }) } })) {
    assertType<Equal<typeof e, WatchEvent<ItemOf<'/api/v1/namespaces/{namespace}/pods'>>>>();
    if (e.type !== 'BOOKMARK') {
      const phase: string | undefined = e.object.status?.phase;
      void phase;
    }
  }
  // @ts-expect-error only list paths can be watched
  km.watch('/api/v1/namespaces/{namespace}/pods/{name}', { path: { ...ns, name: 'p' } });
}

function noSelectorBody(): { metadata: { name: string }; spec: typeof specWithoutSelector } {
  return { metadata: { name: 'web' }, spec: specWithoutSelector };
}

test('the typed SDK module loads and its helpers produce what the types promise', () => {
  const p = mergePatch<StatefulSet>({ spec: { replicas: 1 } });
  assert.equal(p.contentType, 'application/merge-patch+json');
  const s: Status = { kind: 'Status', status: 'Failure', code: 404 };
  assert.equal(s.code, 404);
});
