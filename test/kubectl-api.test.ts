import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { seedDir } from './helpers/seed.js';
import { startTestCluster, type TestCluster } from './helpers/cluster.js';
import { eventually, kubectl, kubectlBackground, kubectlOk, tableRows } from './helpers/kubectl.js';

const seed = seedDir;
const seedService = join(seed, 'terra10-service-headless.yaml');
const seedStatefulSet = join(seed, 'terra10-statefulset.yaml');

interface StatefulSetYaml {
  apiVersion: string;
  spec: { replicas: number; selector: { matchLabels: Record<string, string> }; updateStrategy: { type: string }; podManagementPolicy: string; revisionHistoryLimit: number };
}

/** The walk of issue 2's first two items, run against one kubemock reporting the given minor. */
async function seedWalk(c: TestCluster): Promise<void> {
  assert.match(await kubectlOk(c, ['create', '-f', seedService]), /service\/terra10-hs created/);
  const created = await kubectl(c, ['create', '-f', seedStatefulSet]);
  assert.equal(created.code, 0, created.stderr);
  assert.match(created.stdout, /statefulset.apps\/terra10 created/);

  const svc = tableRows(await kubectlOk(c, ['get', 'service', 'terra10-hs']));
  assert.deepEqual(svc[0], ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
  assert.deepEqual(svc[1].slice(0, 5), ['terra10-hs', 'ClusterIP', 'None', '<none>', '8090/TCP,8092/TCP']);

  const sts = parseYaml(await kubectlOk(c, ['get', 'statefulset', 'terra10', '-o', 'yaml'])) as StatefulSetYaml;
  assert.equal(sts.apiVersion, 'apps/v1');
  assert.deepEqual(sts.spec.selector, { matchLabels: { app: 'terra10' } });
  assert.equal(sts.spec.updateStrategy.type, 'OnDelete', 'created through apps/v1beta1, whose default is OnDelete');
  assert.equal(sts.spec.podManagementPolicy, 'OrderedReady');
  assert.equal(sts.spec.revisionHistoryLimit, 10);

  const edit = await kubectl(c, ['edit', 'statefulset', 'terra10'], { env: { KUBE_EDITOR: "sed -i -e 's/^  replicas: 2$/  replicas: 1/'" } });
  assert.equal(edit.code, 0, edit.stderr);
  assert.match(edit.stdout, /statefulset.apps\/terra10 edited/);
  assert.equal(await kubectlOk(c, ['get', 'sts', 'terra10', '-o', 'jsonpath={.spec.replicas}']), '1');

  assert.match(await kubectlOk(c, ['scale', 'statefulset', 'terra10', '--replicas=3']), /statefulset.apps\/terra10 scaled/);
  assert.equal(await kubectlOk(c, ['get', 'sts', 'terra10', '-o', 'jsonpath={.spec.replicas}']), '3');
}

describe('kubectl against kubemock (issue 2)', () => {
  let c: TestCluster;
  before(async () => {
    c = await startTestCluster();
  });
  after(async () => {
    await c.stop();
  });

  it('walks the seed manifests: create, get service columns, defaulted apps/v1 object, edit, scale', async () => {
    await seedWalk(c);
  });

  it('get --subresource=scale prints the Scale table kube-apiserver serves (printScale), --subresource=status the kind\'s', async () => {
    // after the seed walk terra10 wants 3 replicas
    const scale = tableRows(await kubectlOk(c, ['get', 'statefulset', 'terra10', '--subresource=scale']));
    assert.deepEqual(scale[0], ['NAME', 'DESIRED', 'AVAILABLE', 'AGE']);
    assert.deepEqual(scale[1].slice(0, 2), ['terra10', '3']);
    assert.match(scale[1][2], /^\d+$/);
    assert.deepEqual(tableRows(await kubectlOk(c, ['get', 'statefulset', 'terra10', '--subresource=status']))[0], ['NAME', 'READY', 'AGE']);
    const json = JSON.parse(await kubectlOk(c, ['get', 'statefulset', 'terra10', '--subresource=scale', '-o', 'json'])) as { kind: string; spec: { replicas: number } };
    assert.deepEqual([json.kind, json.spec.replicas], ['Scale', 3]);
  });

  it('api-resources lists the real groups, short names and scopes', async () => {
    const out = await kubectlOk(c, ['api-resources']);
    const rows = tableRows(out);
    const byName = new Map(rows.map((r) => [r[0], r]));
    assert.deepEqual(byName.get('statefulsets'), ['statefulsets', 'sts', 'apps/v1', 'true', 'StatefulSet']);
    assert.deepEqual(byName.get('persistentvolumes'), ['persistentvolumes', 'pv', 'v1', 'false', 'PersistentVolume']);
    assert.deepEqual(byName.get('pods'), ['pods', 'po', 'v1', 'true', 'Pod']);
    assert.ok(byName.has('endpointslices'));
    assert.ok(byName.has('storageclasses'));
  });

  it('get -o json|yaml|wide|name|jsonpath', async () => {
    const json = JSON.parse(await kubectlOk(c, ['get', 'svc', 'terra10-hs', '-o', 'json'])) as { kind: string; spec: { clusterIP: string } };
    assert.equal(json.kind, 'Service');
    assert.equal(json.spec.clusterIP, 'None');
    const yaml = parseYaml(await kubectlOk(c, ['get', 'svc', 'terra10-hs', '-o', 'yaml'])) as { metadata: { name: string } };
    assert.equal(yaml.metadata.name, 'terra10-hs');
    const wide = tableRows(await kubectlOk(c, ['get', 'svc', 'terra10-hs', '-o', 'wide']));
    assert.deepEqual(wide[0], ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE', 'SELECTOR']);
    assert.equal(wide[1][6], 'app=terra10');
    assert.equal((await kubectlOk(c, ['get', 'svc', '-o', 'name'])).trim().split('\n').includes('service/terra10-hs'), true);
    assert.equal(await kubectlOk(c, ['get', 'svc', 'terra10-hs', '-o', 'jsonpath={.spec.ports[*].name}']), 'http-transporter http-monitor');
  });

  it('get all shows the statefulset and service with kind prefixes', async () => {
    const out = await kubectlOk(c, ['get', 'all']);
    assert.match(out, /statefulset\.apps\/terra10/);
    assert.match(out, /service\/terra10-hs/);
  });

  it('get -w sees a later create', async () => {
    const watch = kubectlBackground(c, ['get', 'configmaps', '-w']);
    try {
      await new Promise((r) => setTimeout(r, 300));
      await kubectlOk(c, ['create', '-f', '-'], { stdin: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'watched' }, data: { a: 'b' } }) });
      await eventually(() => watch.output().includes('watched') || undefined, 15_000, 'watch output to show the new configmap');
    } finally {
      await watch.stop();
    }
  });

  it('apply twice (create, then update) client-side and server-side, then delete -f', async () => {
    const file = join(c.dir, 'cm.yaml');
    const manifest = (v: string, mode: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied-${mode}\ndata:\n  key: "${v}"\n`;
    for (const mode of ['client', 'server']) {
      const extra = mode === 'server' ? ['--server-side'] : [];
      await writeFile(file, manifest('one', mode));
      assert.match(await kubectlOk(c, ['apply', ...extra, '-f', file]), mode === 'server' ? /serverside-applied/ : /created/);
      await writeFile(file, manifest('two', mode));
      assert.match(await kubectlOk(c, ['apply', ...extra, '-f', file]), mode === 'server' ? /serverside-applied/ : /configured/);
      assert.equal(await kubectlOk(c, ['get', 'cm', `applied-${mode}`, '-o', 'jsonpath={.data.key}']), 'two');
      assert.match(await kubectlOk(c, ['delete', '-f', file]), /deleted/);
      const gone = await kubectl(c, ['get', 'cm', `applied-${mode}`]);
      assert.notEqual(gone.code, 0);
      assert.match(gone.stderr, /NotFound/);
    }
  });

  it('a manifest moves from client-side to server-side apply without --force-conflicts, as kube\'s last-applied handling allows', async () => {
    const file = join(c.dir, 'moving.yaml');
    const manifest = (v: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: moving\ndata:\n  key: "${v}"\n  kept: "same"\n`;
    await writeFile(file, manifest('one'));
    await kubectlOk(c, ['apply', '-f', file]);
    await writeFile(file, manifest('two'));
    assert.match(await kubectlOk(c, ['apply', '--server-side', '-f', file]), /serverside-applied/);
    const cm = JSON.parse(await kubectlOk(c, ['get', 'cm', 'moving', '-o', 'json'])) as { data: Record<string, string>; metadata: { annotations: Record<string, string> } };
    assert.equal(cm.data.key, 'two');
    assert.match(cm.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'], /"key":"two"/, 'the annotation follows the server-side apply');
    // a field changed by someone else since is not covered by the annotation
    await kubectlOk(c, ['patch', 'cm', 'moving', '--type=merge', '-p', '{"data":{"key":"edited"}}']);
    await writeFile(file, manifest('three'));
    const conflict = await kubectl(c, ['apply', '--server-side', '-f', file]);
    assert.notEqual(conflict.code, 0);
    assert.match(conflict.stderr, /conflict with "kubectl-patch"/);
    await kubectlOk(c, ['delete', '-f', file]);
  });

  it('every namespace has its default ServiceAccount, as kube-controller-manager keeps it', async () => {
    await eventually(async () => tableRows(await kubectlOk(c, ['get', 'serviceaccounts', '-n', 'kube-system'])).some((r) => r[0] === 'default') || undefined, 10_000, 'default account');
  });

  it('explain reads the served OpenAPI schemas', async () => {
    const out = await kubectlOk(c, ['explain', 'statefulset.spec.volumeClaimTemplates']);
    assert.match(out, /KIND:\s+StatefulSet/);
    assert.match(out, /FIELD:\s+volumeClaimTemplates/);
  });

  it('label, annotate, patch (strategic, merge, json) and delete', async () => {
    await kubectlOk(c, ['create', 'configmap', 'patched', '--from-literal=a=1'], {}).catch(async () => {
      await kubectlOk(c, ['create', '-f', '-'], { stdin: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'patched' }, data: { a: '1' } }) });
    });
    await kubectlOk(c, ['label', 'cm', 'patched', 'tier=backend']);
    await kubectlOk(c, ['annotate', 'cm', 'patched', 'note=hello']);
    await kubectlOk(c, ['patch', 'cm', 'patched', '-p', '{"data":{"b":"2"}}']);
    await kubectlOk(c, ['patch', 'cm', 'patched', '--type=merge', '-p', '{"data":{"c":"3"}}']);
    await kubectlOk(c, ['patch', 'cm', 'patched', '--type=json', '-p', '[{"op":"remove","path":"/data/a"}]']);
    const cm = JSON.parse(await kubectlOk(c, ['get', 'cm', 'patched', '-o', 'json'])) as { metadata: { labels: Record<string, string>; annotations: Record<string, string> }; data: Record<string, string> };
    assert.equal(cm.metadata.labels.tier, 'backend');
    assert.equal(cm.metadata.annotations.note, 'hello');
    assert.deepEqual(cm.data, { b: '2', c: '3' });
    assert.deepEqual(tableRows(await kubectlOk(c, ['get', 'cm', '-l', 'tier=backend'])).map((r) => r[0]), ['NAME', 'patched']);
    // kubectl sends the dry run inside the DeleteOptions body, not in the query
    assert.match(await kubectlOk(c, ['delete', 'cm', 'patched', '--dry-run=server']), /configmap "patched" deleted \(server dry run\)/);
    await kubectlOk(c, ['get', 'cm', 'patched']);
  });

  it('reports errors as a real server does', async () => {
    const badName = await kubectl(c, ['create', '-f', '-'], { stdin: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Bad_Name' } }) });
    assert.notEqual(badName.code, 0);
    assert.match(badName.stderr, /ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name"/);
    const strict = await kubectl(c, ['create', '-f', '-'], { stdin: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'strict' }, bogus: 1 }) });
    assert.notEqual(strict.code, 0);
    assert.match(strict.stderr, /unknown field "bogus"/);
  });

  it('health endpoints and unserved paths answer as kube-apiserver\'s', async () => {
    assert.equal(await kubectlOk(c, ['get', '--raw', '/readyz?verbose']), '[+]ping ok\n[+]log ok\n[+]shutdown ok\nreadyz check passed\n');
    assert.equal(await kubectlOk(c, ['get', '--raw', '/livez/ping']), 'ok');
    for (const path of ['/nope', '/apis/nope.example.com/v1/things', '/api/v1/nopes', '/apis/apps/v1/nopes']) {
      const r = await kubectl(c, ['get', '--raw', path]);
      assert.equal(r.stderr.trim(), 'Error from server (NotFound): the server could not find the requested resource', path);
    }
    // /api/ and /apis/ are discovery, as /api and /apis
    assert.equal(((await (await fetch(`${c.urls.api}/apis/`)).json()) as { kind: string }).kind, 'APIGroupList');
    // another method on /api is go-restful's 405 (found by the fuzz test: PATCH /api/v1/.. is PATCH /api/)
    const patched = await fetch(`${c.urls.api}/api/`, { method: 'PATCH', body: '{}', headers: { 'content-type': 'application/merge-patch+json' } });
    assert.equal(patched.status, 405);
    assert.equal(((await patched.json()) as { reason: string }).reason, 'MethodNotAllowed');
    // Go's http.NotFound outside the routers; go-restful's 404 as a Status inside them
    const page = await fetch(`${c.urls.api}/nope`);
    assert.equal(await page.text(), '404 page not found\n');
    const status = await fetch(`${c.urls.api}/apis/apps/v1/nopes`);
    assert.deepEqual(await status.json(), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server could not find the requested resource', reason: 'NotFound', details: {}, code: 404 });
  });
});

describe('kubectl 1.27 to 1.33 each drive the seed walk', () => {
  for (const minor of [27, 28, 29, 30, 31, 33]) {
    it(`kubectl 1.${minor}`, async () => {
      const c = await startTestCluster({ kubernetesMinor: minor });
      try {
        const version = JSON.parse(await kubectlOk(c, ['version', '-o', 'json'])) as { serverVersion: { minor: string } };
        assert.equal(version.serverVersion.minor, String(minor));
        await seedWalk(c);
        const rows = tableRows(await kubectlOk(c, ['get', 'statefulsets']));
        assert.equal(rows[1][0], 'terra10');
      } finally {
        await c.stop();
      }
    });
  }
});

void readFile;
