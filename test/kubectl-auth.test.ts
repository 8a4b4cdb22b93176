import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestCluster, type TestCluster } from './helpers/cluster.js';
import { kubectl, kubectlOk, tableRows } from './helpers/kubectl.js';

/** kubectl auth against kubemock without --token: anonymous, and AlwaysAllow, since kubemock has no RBAC. */
describe('kubectl auth can-i and whoami (protobuf review bodies), as kube-apiserver with AlwaysAllow answers them', () => {
  let c: TestCluster;
  const post = async (path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
    const res = await fetch(c.urls.api + path, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    return { status: res.status, json: await res.json() as Record<string, unknown> };
  };
  before(async () => {
    c = await startTestCluster({ controllers: { enabled: false } });
  });
  after(async () => {
    await c.stop();
  });

  it('can-i answers yes for resources and paths, and --list shows every verb on everything', async () => {
    assert.equal(await kubectlOk(c, ['auth', 'can-i', 'create', 'statefulsets.apps']), 'yes\n');
    assert.equal(await kubectlOk(c, ['auth', 'can-i', 'get', '/healthz']), 'yes\n');
    const rows = tableRows(await kubectlOk(c, ['auth', 'can-i', '--list', '-n', 'default']));
    assert.deepEqual(rows[0], ['Resources', 'Non-Resource URLs', 'Resource Names', 'Verbs']);
    assert.deepEqual(rows[1], ['*.*', '[]', '[]', '[*]']);
  });

  it('whoami names the anonymous user', async () => {
    const rows = tableRows(await kubectlOk(c, ['auth', 'whoami']));
    assert.deepEqual(rows, [['ATTRIBUTE', 'VALUE'], ['Username', 'system:anonymous'], ['Groups', '[system:unauthenticated]']]);
  });

  it('a review is answered, never stored: 201 with status, and no other verb is served', async () => {
    const r = await post('/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { spec: { resourceAttributes: { verb: 'get', resource: 'pods', namespace: 'default' } } });
    assert.equal(r.status, 201);
    assert.deepEqual(r.json, {
      kind: 'SelfSubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', metadata: { creationTimestamp: null },
      spec: { resourceAttributes: { verb: 'get', resource: 'pods', namespace: 'default' } }, status: { allowed: true },
    });
    const list = await kubectl(c, ['get', 'selfsubjectaccessreviews']);
    assert.equal(list.stderr.trim(), 'Error from server (MethodNotAllowed): the server does not allow this method on the requested resource');
    assert.equal((await fetch(`${c.urls.api}/apis/authorization.k8s.io/v1/selfsubjectaccessreviews/x`)).status, 404, 'no route for a named review');
  });

  it('refuses what kube\'s validation refuses, in its words', async () => {
    const none = await post('/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { spec: {} });
    assert.equal(none.status, 422);
    assert.equal(none.json.message, 'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified');
    const both = await post('/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { metadata: { name: 'x' }, spec: { resourceAttributes: { verb: 'get' }, nonResourceAttributes: { path: '/', verb: 'get' } } });
    assert.equal(both.status, 422);
    assert.match(String(both.json.message), /spec.nonResourceAttributes: Invalid value: .*: cannot be specified in combination with resourceAttributes, metadata: Invalid value: .*: must be empty\]$/);
    const rules = await post('/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', { spec: {} });
    assert.equal(rules.status, 400);
    assert.equal(rules.json.message, 'no namespace on request');
  });

  it('namespaces serve no deletecollection: a DELETE of the collection is a 405, as in kube', async () => {
    const res = await fetch(`${c.urls.api}/api/v1/namespaces`, { method: 'DELETE' });
    assert.equal(res.status, 405);
  });
});
