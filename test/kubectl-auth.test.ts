import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestCluster, type TestCluster } from './helpers/cluster.js';
import { eventually, kubectl, kubectlOk, tableRows } from './helpers/kubectl.js';

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

  it('create token issues an RS256 JWT with kube\'s claims for the account; the API then knows its bearer as that account', async () => {
    await post('/api/v1/namespaces/default/serviceaccounts', { metadata: { name: 'robot' } });
    const token = (await kubectlOk(c, ['create', 'token', 'robot', '--duration=15m'])).trim();
    const [header, payload] = token.split('.').slice(0, 2).map((p) => JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>);
    assert.equal(header.alg, 'RS256');
    const uid = (await (await fetch(`${c.urls.api}/api/v1/namespaces/default/serviceaccounts/robot`)).json() as { metadata: { uid: string } }).metadata.uid;
    assert.deepEqual(payload['kubernetes.io'], { namespace: 'default', serviceaccount: { name: 'robot', uid } });
    assert.equal(payload.sub, 'system:serviceaccount:default:robot');
    assert.deepEqual(payload.aud, ['https://kubernetes.default.svc.cluster.local']);
    assert.equal(Number(payload.exp) - Number(payload.iat), 900);
    // kubectl sends no credentials to a plain-http server; a client that does is that account
    const who = await fetch(`${c.urls.api}/apis/authentication.k8s.io/v1/selfsubjectreviews`, {
      method: 'POST', body: '{}', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    });
    assert.deepEqual(((await who.json()) as { status: unknown }).status, {
      userInfo: { username: 'system:serviceaccount:default:robot', uid, groups: ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated'] },
    });
  });

  it('a token ends with its account or the pod it is bound to, as kube\'s claim validator ends it', async () => {
    const whoami = async (token: string): Promise<string> => {
      const res = await fetch(`${c.urls.api}/apis/authentication.k8s.io/v1/selfsubjectreviews`, {
        method: 'POST', body: '{}', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      });
      return ((await res.json()) as { status: { userInfo: { username: string } } }).status.userInfo.username;
    };
    await post('/api/v1/namespaces/default/serviceaccounts', { metadata: { name: 'temp' } });
    await post('/api/v1/namespaces/default/pods', { metadata: { name: 'holder' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
    const plain = (await kubectlOk(c, ['create', 'token', 'temp'])).trim();
    const bound = (await kubectlOk(c, ['create', 'token', 'robot', '--bound-object-kind=Pod', '--bound-object-name=holder'])).trim();
    assert.equal(await whoami(plain), 'system:serviceaccount:default:temp');
    assert.equal(await whoami(bound), 'system:serviceaccount:default:robot');
    await kubectlOk(c, ['delete', 'pod', 'holder', '--grace-period=0', '--force']);
    await kubectlOk(c, ['delete', 'serviceaccount', 'temp']);
    await post('/api/v1/namespaces/default/serviceaccounts', { metadata: { name: 'temp' } });
    // not a credential any more: without --token, kubemock takes the request as anonymous
    await eventually(async () => (await whoami(plain)) === 'system:anonymous' || undefined, 5000, 'the account\'s token to end');
    assert.equal(await whoami(plain), 'system:anonymous', 'a new account of the same name has another UID');
    assert.equal(await whoami(bound), 'system:anonymous');
  });

  it('create token refuses what TokenREST refuses', async () => {
    assert.equal((await kubectl(c, ['create', 'token', 'robot', '--duration=1m'])).stderr.trim(),
      'error: failed to create token: TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes');
    assert.equal((await kubectl(c, ['create', 'token', 'nobody'])).stderr.trim(), 'error: failed to create token: serviceaccounts "nobody" not found');
    assert.equal((await kubectl(c, ['create', 'token', 'robot', '--bound-object-kind=Pod', '--bound-object-name=gone'])).stderr.trim(), 'error: failed to create token: pods "gone" not found');
    const typed = await post('/api/v1/namespaces/default/serviceaccounts/robot/token', { spec: { expirationSeconds: 'soon' } });
    assert.equal(typed.status, 400);
    assert.equal(typed.json.message, 'TokenRequest in version "v1" cannot be handled as a TokenRequest: json: cannot unmarshal string into Go struct field TokenRequestSpec.spec.expirationSeconds of type int64');
  });

  it('namespaces serve no deletecollection: a DELETE of the collection is a 405, as in kube', async () => {
    const res = await fetch(`${c.urls.api}/api/v1/namespaces`, { method: 'DELETE' });
    assert.equal(res.status, 405);
  });
});
