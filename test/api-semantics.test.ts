/**
 * The generic store's rules as kube-apiserver applies them (store.go, rest/create.go, rest/update.go,
 * rest/delete.go, the handlers' checkName and NamespaceLifecycle admission), over HTTP.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestCluster, type TestCluster } from './helpers/cluster.js';

interface Meta { name?: string; namespace?: string; generateName?: string; resourceVersion?: string; uid?: string; finalizers?: string[]; selfLink?: string }
interface Obj { kind?: string; metadata: Meta; [k: string]: unknown }
interface StatusBody { kind: string; code: number; reason?: string; message: string; details?: { kind?: string; causes?: { reason?: string; field?: string; message?: string }[] } }

const json = { 'content-type': 'application/json' };

describe('generic store semantics', () => {
  let c: TestCluster;
  const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: Obj & StatusBody }> => {
    const res = await fetch(c.urls.api + path, { method, headers: body === undefined ? {} : json, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Obj & StatusBody };
  };
  const cm = (name: string, metadata: Partial<Meta> = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...metadata }, data: { a: '1' } });
  const cms = '/api/v1/namespaces/default/configmaps';

  before(async () => {
    c = await startTestCluster({ controllers: { enabled: false } });
  });
  after(async () => {
    await c.stop();
  });

  it('DELETE answers with the object for kinds whose storage returns it, with a Status for the others', async () => {
    await call('POST', '/api/v1/namespaces/default/pods', { metadata: { name: 'gone' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
    const pod = await call('DELETE', '/api/v1/namespaces/default/pods/gone');
    assert.equal(pod.status, 200);
    assert.equal(pod.body.kind, 'Pod');
    assert.equal(pod.body.metadata.name, 'gone');
    await call('POST', cms, cm('gone'));
    const map = await call('DELETE', `${cms}/gone`);
    assert.equal(map.body.kind, 'Status');
    assert.deepEqual(map.body.details, { name: 'gone', kind: 'configmaps', uid: map.body.details && (map.body.details as { uid: string }).uid });
  });

  it('the namespaces the cluster runs in may not be deleted', async () => {
    for (const ns of ['default', 'kube-system', 'kube-public']) {
      const r = await call('DELETE', `/api/v1/namespaces/${ns}`);
      assert.equal(r.status, 403, ns);
      assert.equal(r.body.message, `namespaces "${ns}" is forbidden: this namespace may not be deleted`);
    }
    assert.equal((await call('GET', '/api/v1/namespaces/default')).status, 200);
  });

  it('DeleteOptions come from the body when there is one (kubectl delete --dry-run=server sends dryRun there), else the query', async () => {
    await call('POST', cms, cm('kept'));
    const dry = await call('DELETE', `${cms}/kept`, { kind: 'DeleteOptions', apiVersion: 'v1', dryRun: ['All'] });
    assert.equal(dry.status, 200);
    assert.equal((await call('GET', `${cms}/kept`)).status, 200, 'a dry run in the body deletes nothing');
    const dryCollection = await call('DELETE', cms, { dryRun: ['All'] });
    assert.equal(dryCollection.status, 200);
    assert.equal((await call('GET', `${cms}/kept`)).status, 200, 'nor does a dry-run collection delete');
    // with a body, kube does not read the query at all
    const bodyWins = await call('DELETE', `${cms}/kept?dryRun=Bogus`, { dryRun: ['All'] });
    assert.equal(bodyWins.status, 200);
    const bad = await call('DELETE', `${cms}/kept`, { dryRun: ['Bogus'], propagationPolicy: 'Sideways', orphanDependents: true });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.message, 'DeleteOptions.meta.k8s.io "" is invalid: [propagationPolicy: Invalid value: "Sideways": orphanDependents and deletionPropagation cannot be both set, propagationPolicy: Unsupported value: "Sideways": supported values: "Foreground", "Background", "Orphan", "nil", dryRun: Unsupported value: []string{"Bogus"}: supported values: "All"]');
    const typed = await call('DELETE', `${cms}/kept`, { gracePeriodSeconds: 'soon' });
    assert.equal(typed.status, 400);
    assert.equal(typed.body.message, 'json: cannot unmarshal string into Go struct field DeleteOptions.gracePeriodSeconds of type int64');
    assert.equal((await call('GET', `${cms}/kept`)).status, 200);
    assert.equal((await call('DELETE', `${cms}/kept?dryRun=All`)).status, 200);
    assert.equal((await call('GET', `${cms}/kept`)).status, 200, 'a dry run in the query of a bodiless DELETE');
    assert.equal((await call('DELETE', `${cms}/kept`)).status, 200);
    assert.equal((await call('GET', `${cms}/kept`)).status, 404);
  });

  it('a failed delete precondition names the kind and both values', async () => {
    const made = await call('POST', cms, cm('pre'));
    const r = await call('DELETE', `${cms}/pre`, { preconditions: { uid: 'not-it' } });
    assert.equal(r.status, 409);
    assert.equal(r.body.message, `Operation cannot be fulfilled on ConfigMap "pre": the UID in the precondition (not-it) does not match the UID in record (${made.body.metadata.uid}). The object might have been deleted and then recreated`);
    assert.equal(r.body.details?.kind, 'ConfigMap');
    const rv = await call('DELETE', `${cms}/pre`, { preconditions: { resourceVersion: '1' } });
    assert.match(rv.body.message, /^Operation cannot be fulfilled on ConfigMap "pre": the ResourceVersion in the precondition \(1\) does not match the ResourceVersion in record \(\d+\)\. The object might have been modified$/);
  });

  it('PUT: the name must be given and match, the namespace must match, "0" is no precondition', async () => {
    await call('POST', cms, cm('put'));
    const nameless = await call('PUT', `${cms}/put`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: {}, data: {} });
    assert.equal(nameless.status, 400);
    assert.equal(nameless.body.message, 'the name of the object (put based on URL) was undeterminable: name must be provided');
    const elsewhere = await call('PUT', `${cms}/put`, cm('put', { namespace: 'other' }));
    assert.equal(elsewhere.status, 400);
    assert.equal(elsewhere.body.message, 'the namespace of the object (other) does not match the namespace on the request (default)');
    const zero = await call('PUT', `${cms}/put`, cm('put', { resourceVersion: '0' }));
    assert.equal(zero.status, 200);
  });

  it('PUT creates a Service, Endpoints or Event that is not there (201), and nothing else', async () => {
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'fresh', resourceVersion: '7' }, spec: { ports: [{ port: 80 }] } };
    const made = await call('PUT', '/api/v1/namespaces/default/services/fresh', svc);
    assert.equal(made.status, 201, made.body.message);
    assert.equal(made.body.metadata.name, 'fresh');
    const again = await call('PUT', '/api/v1/namespaces/default/services/fresh', { ...made.body, metadata: { ...made.body.metadata } });
    assert.equal(again.status, 200);
    const missing = await call('PUT', `${cms}/never`, cm('never'));
    assert.equal(missing.status, 404);
  });

  it('PUT of a cluster-scoped object drops a namespace and a selfLink instead of refusing them', async () => {
    const sc = { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'fast' }, provisioner: 'kubemock.io/hostpath' };
    assert.equal((await call('POST', '/apis/storage.k8s.io/v1/storageclasses', sc)).status, 201);
    const r = await call('PUT', '/apis/storage.k8s.io/v1/storageclasses/fast', { ...sc, metadata: { name: 'fast', namespace: 'default', selfLink: '/x' } });
    assert.equal(r.status, 200, r.body.message);
    assert.equal(r.body.metadata.namespace, undefined);
    assert.equal(r.body.metadata.selfLink, undefined);
    assert.equal((await call('DELETE', '/apis/storage.k8s.io/v1/storageclasses/fast')).body.kind, 'StorageClass');
  });

  it('a create drops a deletionTimestamp; an update may not start a deletion nor move one', async () => {
    const made = await call('POST', cms, cm('not-deleting', { deletionTimestamp: '2030-01-01T00:00:00Z' } as Partial<Meta>));
    assert.equal(made.status, 201);
    assert.equal((made.body.metadata as Record<string, unknown>).deletionTimestamp, undefined);
    const put = await call('PUT', `${cms}/not-deleting`, { ...made.body, metadata: { ...made.body.metadata, deletionTimestamp: '2030-01-01T00:00:00Z', deletionGracePeriodSeconds: 30 } });
    assert.equal(put.status, 422);
    assert.equal(put.body.message, 'ConfigMap "not-deleting" is invalid: [metadata.deletionTimestamp: Invalid value: 2030-01-01 00:00:00 +0000 UTC: field is immutable, metadata.deletionGracePeriodSeconds: Invalid value: 30: field is immutable]');
    const held = await call('POST', cms, cm('held', { finalizers: ['example.com/hold'] }));
    await call('DELETE', `${cms}/held`);
    const deleting = await call('GET', `${cms}/held`);
    const since = (deleting.body.metadata as Record<string, unknown>).deletionTimestamp;
    assert.ok(since);
    const cleared = await call('PUT', `${cms}/held`, { ...deleting.body, metadata: { ...deleting.body.metadata, deletionTimestamp: null, deletionGracePeriodSeconds: null }, data: { b: '2' } });
    assert.equal(cleared.status, 200, 'an update that leaves them out keeps them');
    assert.equal((cleared.body.metadata as Record<string, unknown>).deletionTimestamp, since);
    assert.equal(held.status, 201);
    await call('PUT', `${cms}/held`, { ...cleared.body, metadata: { ...cleared.body.metadata, finalizers: [] } });
  });

  it('generateName: the prefix is cut to 58 characters and kept beside the name', async () => {
    const long = `${'g'.repeat(62)}-`;
    const r = await call('POST', cms, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: long } });
    assert.equal(r.status, 201, r.body.message);
    assert.equal(r.body.metadata.name!.length, 63);
    assert.ok(r.body.metadata.name!.startsWith('g'.repeat(58)));
    assert.equal(r.body.metadata.generateName, long);
    const both = await call('POST', cms, cm('named', { generateName: 'named-' }));
    assert.equal(both.body.metadata.name, 'named');
    assert.equal(both.body.metadata.generateName, 'named-');
  });

  it('orphan and foregroundDeletion finalizers together are invalid', async () => {
    const r = await call('POST', cms, cm('both', { finalizers: ['orphan', 'foregroundDeletion'] }));
    assert.equal(r.status, 422);
    assert.equal(r.body.message, 'ConfigMap "both" is invalid: metadata.finalizers: Invalid value: []string{"orphan", "foregroundDeletion"}: finalizer orphan and foregroundDeletion cannot be both set');
  });

  it('an update that drops the last finalizer of a deleted object answers with what it wrote', async () => {
    await call('POST', cms, cm('held', { finalizers: ['example.com/hold'] }));
    const deleting = await call('DELETE', `${cms}/held`);
    assert.ok((deleting.body as Obj).metadata.finalizers);
    const current = await call('GET', `${cms}/held`);
    const released = await call('PUT', `${cms}/held`, { ...current.body, metadata: { ...current.body.metadata, finalizers: [] } });
    assert.equal(released.status, 200);
    assert.deepEqual(released.body.metadata.finalizers ?? [], []);
    assert.equal((await call('GET', `${cms}/held`)).status, 404);
  });

  it('a create may not carry a resourceVersion, except a dry run', async () => {
    const r = await call('POST', cms, cm('versioned', { resourceVersion: '42' }));
    assert.equal(r.status, 400, 'kube answers 500; bad input is never a 5xx here');
    assert.equal(r.body.message, 'resourceVersion should not be set on objects to be created');
    assert.equal((await call('GET', `${cms}/versioned`)).status, 404);
    assert.equal((await call('POST', `${cms}?dryRun=All`, cm('versioned', { resourceVersion: '42' }))).status, 201);
  });

  it('an unknown dryRun value makes the options invalid (422), named by the verb\'s options kind', async () => {
    const r = await call('POST', `${cms}?dryRun=All&dryRun=Some`, cm('dry'));
    assert.equal(r.status, 422);
    assert.equal(r.body.message, 'CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"All", "Some"}: supported values: "All"');
    const d = await call('DELETE', `${cms}/dry?dryRun=Maybe`);
    assert.match(d.body.message, /^DeleteOptions\.meta\.k8s\.io "" is invalid: dryRun: Unsupported value/);
  });

  it('NamespaceLifecycle comes before validation, and names what a terminating namespace refused', async () => {
    const missing = await call('POST', '/api/v1/namespaces/nowhere/configmaps', cm('Not Valid'));
    assert.equal(missing.status, 404);
    assert.equal(missing.body.message, 'namespaces "nowhere" not found');
    await call('POST', '/api/v1/namespaces', { metadata: { name: 'ending' } });
    await call('POST', '/api/v1/namespaces/ending/configmaps', cm('hold', { finalizers: ['example.com/hold'] }));
    await call('DELETE', '/api/v1/namespaces/ending');
    const refused = await call('POST', '/api/v1/namespaces/ending/configmaps', cm('late'));
    assert.equal(refused.status, 403);
    assert.equal(refused.body.message, 'configmaps "late" is forbidden: unable to create new content in namespace ending because it is being terminated');
    assert.deepEqual(refused.body.details?.causes, [{ reason: 'NamespaceTerminating', message: 'namespace ending is being terminated', field: 'metadata.namespace' }]);
  });

  it('list and watch options: resourceVersion=0 lists whole, a bare ?watch is true, a relabelled object leaves as it was', async () => {
    for (const n of ['w1', 'w2', 'w3']) await call('POST', cms, cm(n));
    const whole = await call('GET', `${cms}?resourceVersion=0&limit=1`);
    assert.ok(((whole.body as unknown as { items: unknown[] }).items).length >= 3);
    assert.equal((whole.body.metadata as { continue?: string }).continue, undefined);
    const paged = await call('GET', `${cms}?limit=1`);
    assert.ok((paged.body.metadata as { continue?: string }).continue);

    const bare = await (await fetch(`${c.urls.api}${cms}?watch&timeoutSeconds=1`)).text();
    assert.equal((JSON.parse(bare.split('\n')[0]) as { type: string }).type, 'ADDED');

    const made = await call('POST', cms, cm('relabel', { labels: { app: 'x' } } as Partial<Meta>));
    const stream = fetch(`${c.urls.api}${cms}?watch=True&labelSelector=app%3Dx&resourceVersion=${made.body.metadata.resourceVersion}&timeoutSeconds=1`).then((r) => r.text());
    await new Promise((r) => setTimeout(r, 200));
    const moved = await fetch(`${c.urls.api}${cms}/relabel`, { method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json' }, body: '{"metadata":{"labels":{"app":"y"}}}' });
    const after = (await moved.json()) as Obj;
    const events = (await stream).trim().split('\n').map((l) => JSON.parse(l) as { type: string; object: Obj & { metadata: Meta & { labels?: Record<string, string> } } });
    assert.deepEqual(events.map((e) => e.type), ['DELETED']);
    assert.deepEqual(events[0].object.metadata.labels, { app: 'x' }, 'the object as it last matched');
    assert.equal(events[0].object.metadata.resourceVersion, after.metadata.resourceVersion);
  });

  it('PATCH: checkName after the patch, uid immutable, apply-create without a uid, options as a 422 PatchOptions', async () => {
    const patch = async (path: string, type: string, body: unknown) => {
      const r = await fetch(`${c.urls.api}${path}`, { method: 'PATCH', headers: { 'content-type': type }, body: typeof body === 'string' ? body : JSON.stringify(body) });
      return { status: r.status, body: (await r.json()) as StatusBody };
    };
    await call('POST', cms, cm('patched'));
    const renamed = await patch(`${cms}/patched`, 'application/merge-patch+json', { metadata: { name: 'other' } });
    assert.equal(renamed.status, 400);
    assert.equal(renamed.body.message, 'the name of the object (other) does not match the name on the URL (patched)');
    const uid = await patch(`${cms}/patched`, 'application/merge-patch+json', { metadata: { uid: 'abc' } });
    assert.equal(uid.status, 422);
    assert.equal(uid.body.message, 'ConfigMap "patched" is invalid: metadata.uid: Invalid value: "abc": field is immutable');
    const applied = await patch(`${cms}/fresh?fieldManager=me`, 'application/apply-patch+yaml', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fresh', uid: 'abc' } });
    assert.equal(applied.status, 409);
    assert.equal(applied.body.message, 'Operation cannot be fulfilled on configmaps "fresh": uid mismatch: the provided object specified uid abc, and no existing object was found');
    const forced = await patch(`${cms}/patched?force=true`, 'application/merge-patch+json', { data: { b: '2' } });
    assert.equal(forced.status, 422);
    assert.equal(forced.body.message, 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch');
    const unnamed = await patch(`${cms}/patched`, 'application/apply-patch+yaml', cm('patched'));
    assert.equal(unnamed.status, 422);
    assert.equal(unnamed.body.message, 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
  });

  it('the deprecated /watch/ path watches one object by name; a version ahead of the store is a 504 ERROR event', async () => {
    await call('POST', cms, cm('watched-one'));
    await call('POST', cms, cm('watched-two'));
    const lines = async (path: string): Promise<{ type: string; object: Obj & StatusBody }[]> => {
      const r = await fetch(c.urls.api + path);
      assert.equal(r.status, 200, path);
      return (await r.text()).trim().split('\n').map((l) => JSON.parse(l) as { type: string; object: Obj & StatusBody });
    };
    const named = await lines('/api/v1/watch/namespaces/default/configmaps/watched-one?timeoutSeconds=1');
    assert.deepEqual(named.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED watched-one']);
    const clash = await call('GET', '/api/v1/watch/namespaces/default/configmaps/watched-one?fieldSelector=metadata.name%3Dwatched-two');
    assert.equal(clash.status, 400);
    assert.equal(clash.body.message, "fieldSelector metadata.name doesn't match requested name");
    const list = await call('GET', cms);
    const ahead = Number((list.body.metadata as Meta).resourceVersion) + 100;
    const [error] = await lines(`${cms}?watch=1&resourceVersion=${ahead}`);
    assert.equal(error.type, 'ERROR');
    assert.equal(error.object.code, 504);
    assert.match(error.object.message, new RegExp(`^Timeout: Too large resource version: ${ahead}, current: \\d+$`));
  });

  it('a subresource nothing serves is a path with no route, not a missing object', async () => {
    await call('POST', cms, cm('has-no-status'));
    for (const [method, path] of [['GET', `${cms}/has-no-status/status`], ['GET', `${cms}/has-no-status/scale`], ['PUT', `${cms}/has-no-status/finalize`], ['PATCH', '/api/v1/namespaces/default/pods/any/nothing']] as const) {
      const r = await call(method, path, method === 'PATCH' ? {} : undefined);
      assert.equal(r.status, 404, path);
      assert.equal(r.body.message, 'the server could not find the requested resource', path);
    }
    assert.equal((await call('GET', '/api/v1/namespaces/default/finalize')).status, 405, 'a namespace\'s finalize is PUT only');
  });

  it('empty optional lists and maps are dropped as the Go types\' omitempty drops them; empty structs stay', async () => {
    const pod = await call('POST', '/api/v1/namespaces/default/pods', {
      metadata: { name: 'sparse', labels: {}, annotations: {}, finalizers: [] },
      spec: { containers: [{ name: 'c', image: 'nginx', env: [], ports: [], resources: { requests: {} } }], nodeSelector: {}, tolerations: [], volumes: [], securityContext: {} },
    });
    assert.equal(pod.status, 201, JSON.stringify(pod.body));
    const meta = pod.body.metadata as Record<string, unknown>;
    for (const k of ['labels', 'annotations', 'finalizers']) assert.equal(meta[k], undefined, k);
    const spec = pod.body.spec as { nodeSelector?: unknown; tolerations?: unknown[]; securityContext?: unknown; containers: Record<string, unknown>[] };
    assert.equal(spec.nodeSelector, undefined);
    assert.deepEqual(spec.securityContext, {}, 'a struct is not a collection');
    assert.equal(spec.containers[0].env, undefined);
    assert.equal(spec.containers[0].ports, undefined);
    assert.deepEqual(spec.containers[0].resources, {}, 'resources stays, its empty requests goes');
    const slice = await call('POST', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', { metadata: { name: 'bare' }, addressType: 'IPv4', endpoints: [], ports: [] });
    assert.equal(slice.status, 201, JSON.stringify(slice.body));
    assert.deepEqual((slice.body as { ports?: unknown }).ports, [], 'EndpointSlice.ports has no omitempty');
    assert.deepEqual((slice.body as { endpoints?: unknown }).endpoints, [], 'a required list stays');
  });

  it('kube 1.32\'s WatchList default: a watch from "" with bookmarks ends its initial events with the annotated bookmark', async () => {
    await call('POST', cms, cm('listed-first'));
    const r = await fetch(`${c.urls.api}${cms}?watch=1&allowWatchBookmarks=true&timeoutSeconds=1`);
    const events = (await r.text()).trim().split('\n').map((l) => JSON.parse(l) as { type: string; object: Obj });
    const end = events.findIndex((e) => e.type === 'BOOKMARK');
    assert.ok(end > 0, events.map((e) => e.type).join(','));
    assert.ok(events.slice(0, end).every((e) => e.type === 'ADDED'));
    assert.deepEqual((events[end].object.metadata as { annotations?: unknown }).annotations, { 'k8s.io/initial-events-end': 'true' });
    const legacy = await (await fetch(`${c.urls.api}/api/v1/watch/namespaces/default/configmaps?allowWatchBookmarks=true&timeoutSeconds=1`)).text();
    assert.doesNotMatch(legacy, /initial-events-end/, 'the /watch/ paths are not defaulted');
  });

  it('selectors are parsed and checked as labels.Parse, fields.ParseSelector and each kind\'s field-label conversion do', async () => {
    const bad = async (path: string): Promise<string> => {
      const r = await call('GET', path);
      assert.equal(r.status, 400, path);
      assert.equal(r.body.reason, 'BadRequest');
      return r.body.message;
    };
    assert.equal(await bad('/api/v1/namespaces/default/pods?labelSelector=' + encodeURIComponent('a in b')), "unable to parse requirement: found 'b' expected: '('");
    assert.equal(await bad('/api/v1/pods?watch=1&fieldSelector=metadata.name'), "invalid selector: 'metadata.name'; can't understand 'metadata.name'");
    assert.equal(await bad('/api/v1/namespaces/default/pods?fieldSelector=spec.foo%3Dbar'), 'field label not supported: spec.foo');
    assert.equal(await bad('/api/v1/namespaces?fieldSelector=metadata.namespace%3Dx'), 'field label not supported: metadata.namespace');
    assert.equal(await bad('/api/v1/namespaces/default/configmaps?fieldSelector=data.a%3D1'), '"data.a" is not a known field selector: only "metadata.name", "metadata.namespace"');
    assert.equal(await bad('/apis/apps/v1/namespaces/default/statefulsets?fieldSelector=spec.replicas%3D1'), '"spec.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"');
    assert.equal(await bad('/apis/apps/v1beta1/namespaces/default/statefulsets?fieldSelector=spec.replicas%3D1'), 'field label not supported for appsv1beta1.StatefulSet: spec.replicas');
    assert.equal((await call('GET', '/apis/apps/v1beta1/namespaces/default/statefulsets?fieldSelector=status.successful%3D')).status, 200);
  });

  it('list options are validated as ValidateListOptions and the etcd3 store do', async () => {
    const noVersion = await call('GET', `${cms}?resourceVersionMatch=NotOlderThan`);
    assert.equal(noVersion.status, 422);
    assert.equal(noVersion.body.message, 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided');
    const exactZero = await call('GET', `${cms}?resourceVersionMatch=Exact&resourceVersion=0`);
    assert.equal(exactZero.status, 422);
    assert.match(exactZero.body.message, /resourceVersionMatch "exact" is forbidden for resourceVersion "0"$/);
    for (const n of ['l1', 'l2']) await call('POST', cms, cm(n));
    const first = await call('GET', `${cms}?limit=1`);
    const token = (first.body.metadata as { continue?: string; resourceVersion?: string });
    const pinned = await call('GET', `${cms}?limit=1&continue=${token.continue}&resourceVersion=${token.resourceVersion}`);
    assert.equal(pinned.status, 400);
    assert.equal(pinned.body.message, 'specifying resource version is not allowed when using continue');
    const garbage = await call('GET', `${cms}?limit=1&continue=garbage`);
    assert.equal(garbage.status, 400);
    assert.match(garbage.body.message, /^invalid continue token: /);
  });
});
