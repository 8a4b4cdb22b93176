import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestCluster, type TestCluster } from './helpers/cluster.js';
import { eventually, kubectlOk } from './helpers/kubectl.js';

/** What a pod finds in /var/run/secrets/kubernetes.io/serviceaccount, as the kubelet projects it. */
describe('a pod\'s service account volume: a token bound to the pod, the cluster CA from kube-root-ca.crt, the namespace', () => {
  let c: TestCluster;
  const dir = '/var/run/secrets/kubernetes.io/serviceaccount';
  const whoami = async (token: string): Promise<string> => {
    const res = await fetch(`${c.urls.api}/apis/authentication.k8s.io/v1/selfsubjectreviews`, {
      method: 'POST', body: '{}', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    });
    return ((await res.json()) as { status: { userInfo: { username: string } } }).status.userInfo.username;
  };
  before(async () => {
    c = await startTestCluster();
    await kubectlOk(c, ['run', 'p', '--image=busybox', '--', 'sleep', '3600']);
    await eventually(async () => (await kubectlOk(c, ['get', 'pod', 'p', '-o', 'jsonpath={.status.phase}'])) === 'Running' || undefined, 15_000, 'p Running');
  });
  after(async () => {
    await c.stop();
  });

  it('every namespace has kube-root-ca.crt, and the pod\'s ca.crt is its bundle', async () => {
    const namespaces = await eventually(async () => {
      const out = (await kubectlOk(c, ['get', 'configmaps', '-A', '--field-selector=metadata.name=kube-root-ca.crt', '-o', 'jsonpath={.items[*].metadata.namespace}'])).split(' ');
      return out.length === 4 ? out : undefined;
    }, 10_000, 'kube-root-ca.crt everywhere');
    assert.deepEqual(namespaces.sort(), ['default', 'kube-node-lease', 'kube-public', 'kube-system']);
    const bundle = await kubectlOk(c, ['get', 'configmap', 'kube-root-ca.crt', '-o', 'jsonpath={.data.ca\\.crt}']);
    assert.match(bundle, /^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n$/);
    assert.equal(await kubectlOk(c, ['exec', 'p', '--', 'cat', `${dir}/ca.crt`]), bundle);
    assert.equal(await kubectlOk(c, ['exec', 'p', '--', 'cat', `${dir}/namespace`]), 'default');
  });

  it('the token is the pod\'s account\'s, bound to the pod, and authenticates until the pod is deleted', async () => {
    const token = await kubectlOk(c, ['exec', 'p', '--', 'cat', `${dir}/token`]);
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as { sub: string; aud: string[]; exp: number; iat: number; 'kubernetes.io': { pod: { name: string; uid: string } } };
    const uid = await kubectlOk(c, ['get', 'pod', 'p', '-o', 'jsonpath={.metadata.uid}']);
    assert.equal(claims.sub, 'system:serviceaccount:default:default');
    assert.deepEqual(claims['kubernetes.io'].pod, { name: 'p', uid });
    assert.deepEqual(claims.aud, ['https://kubernetes.default.svc.cluster.local']);
    assert.equal(claims.exp - claims.iat, 3607);
    assert.equal(await whoami(token), 'system:serviceaccount:default:default');
    await kubectlOk(c, ['delete', 'pod', 'p', '--grace-period=0', '--force']);
    await eventually(async () => (await whoami(token)) === 'system:anonymous' || undefined, 5000, 'the bound token to end with its pod');
  });
});
