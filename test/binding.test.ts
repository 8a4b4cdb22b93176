import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { startTestCluster, type TestCluster } from './helpers/cluster.js';

/** POST pods/<name>/binding, as a scheduler of the user's own calls it (kube's BindingREST.Create). */
describe('pods/binding', () => {
  let c: TestCluster;
  const pods = '/api/v1/namespaces/default/pods';
  const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
    const res = await fetch(c.urls.api + path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
    return { status: res.status, json: await res.json() as Record<string, unknown> };
  };
  const binding = (name: string, node: string, extra: Record<string, unknown> = {}) => ({ apiVersion: 'v1', kind: 'Binding', metadata: { name, ...extra }, target: { kind: 'Node', name: node } });
  before(async () => {
    // no scheduler: the pods wait for a binding
    c = await startTestCluster({ controllers: { enabled: false } });
    for (const name of ['p', 'q']) await call('POST', pods, { metadata: { name }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
  });
  after(async () => {
    await c.stop();
  });

  it('refuses what BindingREST refuses, in its words', async () => {
    assert.equal((await call('GET', `${pods}/p/binding`)).status, 405);
    const other = await call('POST', `${pods}/p/binding`, binding('q', 'n1'));
    assert.deepEqual([other.status, other.json.message], [400, 'name in URL does not match name in Binding object']);
    const noTarget = await call('POST', `${pods}/p/binding`, { metadata: { name: 'p' }, target: { kind: 'Pod' } });
    assert.deepEqual([noTarget.status, noTarget.json.message], [400, 'target.kind: Unsupported value: "Pod": supported values: "Node", target.name: Required value']);
    const typed = await call('POST', `${pods}/p/binding`, { metadata: { name: 'p' }, target: { name: 7 } });
    assert.deepEqual([typed.status, typed.json.message], [400, 'Binding in version "v1" cannot be handled as a Binding: json: cannot unmarshal number into Go struct field ObjectReference.target.name of type string']);
    const missing = await call('POST', `${pods}/nope/binding`, binding('nope', 'n1'));
    assert.deepEqual([missing.status, missing.json.message], [404, 'pods "nope" not found']);
  });

  it('a dry run answers Success and binds nothing; a binding sets the node, merges its annotations and marks the pod scheduled', async () => {
    assert.equal((await call('POST', `${pods}/p/binding?dryRun=All`, binding('p', 'n1'))).status, 201);
    assert.equal(((await call('GET', `${pods}/p`)).json as Pod).spec?.nodeName, undefined);
    const done = await call('POST', `${pods}/p/binding`, binding('p', 'n1', { annotations: { 'scheduler.example/decision': 'n1' } }));
    assert.deepEqual(done, { status: 201, json: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 } });
    const pod = (await call('GET', `${pods}/p`)).json as Pod;
    assert.equal(pod.spec?.nodeName, 'n1');
    assert.equal(pod.metadata?.annotations?.['scheduler.example/decision'], 'n1');
    const scheduled = pod.status?.conditions?.find((x) => x.type === 'PodScheduled');
    assert.equal(scheduled?.status, 'True');
    assert.equal(scheduled?.lastProbeTime, null);
  });

  it('a pod already on a node, or replaced since the scheduler read it, is a conflict on pods/binding', async () => {
    const again = await call('POST', `${pods}/p/binding`, binding('p', 'n2'));
    assert.deepEqual([again.status, again.json.message], [409, 'Operation cannot be fulfilled on pods/binding "p": pod p is already assigned to node "n1"']);
    const stale = await call('POST', `${pods}/q/binding`, binding('q', 'n1', { uid: 'not-its-uid' }));
    assert.equal(stale.status, 409);
    assert.match(String(stale.json.message), /^Operation cannot be fulfilled on pods\/binding "q": pod q was replaced/);
  });
});
