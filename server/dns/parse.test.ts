import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuery, trimZone } from './parse.js';

const zone = 'cluster.local';

test('parseQuery reads names right to left like CoreDNS parseRequest', () => {
  const table: [string, unknown][] = [
    ['terra10-hs.default.svc.cluster.local', { kind: 'svc', namespace: 'default', service: 'terra10-hs', endpoint: '', port: '', protocol: '' }],
    ['Terra10-0.Terra10-HS.default.svc.Cluster.Local.', { kind: 'svc', namespace: 'default', service: 'terra10-hs', endpoint: 'terra10-0', port: '', protocol: '' }],
    ['_http-transporter._tcp.terra10-hs.default.svc.cluster.local', { kind: 'svc', namespace: 'default', service: 'terra10-hs', endpoint: '', port: 'http-transporter', protocol: 'tcp' }],
    ['10-244-0-5.default.pod.cluster.local', { kind: 'pod', namespace: 'default', service: '10-244-0-5', endpoint: '', port: '', protocol: '' }],
    ['default.svc.cluster.local', { kind: 'svc', namespace: 'default', service: '', endpoint: '', port: '', protocol: '' }],
    ['svc.cluster.local', { kind: 'svc', namespace: '', service: '', endpoint: '', port: '', protocol: '' }],
    ['cluster.local', { kind: 'apex' }],
    ['dns-version.cluster.local', { kind: 'dns-version' }],
    ['ns.dns.cluster.local', { kind: 'nameserver' }],
    ['a.b.c.d.default.svc.cluster.local', { kind: 'invalid' }],
    ['foo.default.cluster.local', { kind: 'invalid' }],
    ['example.com', { kind: 'outside' }],
    ['notcluster.local', { kind: 'outside' }],
  ];
  for (const [name, expected] of table) assert.deepEqual(parseQuery(name, zone), expected, name);
});

test('trimZone is case-insensitive and tolerates trailing dots', () => {
  assert.equal(trimZone('A.Cluster.Local.', 'cluster.local.'), 'a');
  assert.equal(trimZone('cluster.local', 'cluster.local'), '');
  assert.equal(trimZone('xcluster.local', 'cluster.local'), undefined);
});
