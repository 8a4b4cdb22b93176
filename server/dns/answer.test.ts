import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Answer, RecordType } from 'dns-packet';
import { FakeClock } from '../meta/clock.js';
import { answer, defaultAnswerOptions, type AnswerOptions } from './answer.js';
import { WatchedDnsView } from './watched-view.js';
import { added, endpointSliceObject, namespaceObject, podObject, serviceObject, terra10Endpoints, terra10Ports } from './seed-fixtures.js';

function clusterView(): WatchedDnsView {
  const view = new WatchedDnsView({ clock: new FakeClock() });
  for (const r of ['services', 'endpointslices', 'namespaces', 'pods'] as const) view.markSynced(r);
  view.apply('namespaces', added(namespaceObject('default')));
  view.apply('services', added(serviceObject('default', 'terra10-hs', { clusterIP: 'None', ports: terra10Ports })));
  view.apply('endpointslices', added(endpointSliceObject('default', 'terra10-hs', terra10Endpoints(['10.244.0.5', '10.244.0.6']), terra10Ports)));
  view.apply('services', added(serviceObject('default', 'web', { clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80 }, { name: 'dns', port: 53, protocol: 'UDP' }] })));
  view.apply('endpointslices', added(endpointSliceObject('default', 'web', [{ ip: '10.244.1.7', podName: 'web-abc' }], [{ name: 'http', port: 8080 }])));
  view.apply('services', added(serviceObject('default', 'ext', { type: 'ExternalName', externalName: 'example.com' })));
  view.apply('services', added(serviceObject('default', 'alias', { type: 'ExternalName', externalName: 'web.default.svc.cluster.local' })));
  view.apply('services', added(serviceObject('default', 'empty-hs', { clusterIP: 'None', ports: [{ name: 'p', port: 1 }] })));
  view.apply('endpointslices', added(endpointSliceObject('default', 'empty-hs', [{ ip: '10.244.2.1', ready: false }], [{ name: 'p', port: 1 }])));
  view.apply('services', added(serviceObject('default', 'peers', { clusterIP: 'None', publishNotReadyAddresses: true })));
  view.apply('endpointslices', added(endpointSliceObject('default', 'peers', [{ ip: '10.244.3.1', ready: false }], [])));
  view.apply('pods', added(podObject('default', 'terra10-0', '10.244.0.5')));
  return view;
}

const ask = (name: string, type: RecordType, options: Partial<AnswerOptions> = {}, view = clusterView()) =>
  answer({ name, type }, view, { ...defaultAnswerOptions, ...options });
const data = (records: Answer[]) => records.map((r) => ('data' in r ? r.data : undefined));

test('ClusterIP service: A to the cluster IP, NODATA with SOA for AAAA', () => {
  const a = ask('web.default.svc.cluster.local', 'A');
  assert.equal(a.rcode, 'NOERROR');
  assert.equal(a.authoritative, true);
  assert.deepEqual(data(a.answers), ['10.96.0.20']);
  assert.equal(a.answers[0]!.type === 'A' && a.answers[0]!.ttl, 30);
  const aaaa = ask('web.default.svc.cluster.local', 'AAAA');
  assert.equal(aaaa.rcode, 'NOERROR');
  assert.deepEqual(aaaa.answers, []);
  assert.equal(aaaa.authorities[0]?.type, 'SOA');
});

test('headless service: one A per ready endpoint, per-pod names, dashed-IP names', () => {
  assert.deepEqual(data(ask('terra10-hs.default.svc.cluster.local', 'A').answers), ['10.244.0.5', '10.244.0.6']);
  assert.deepEqual(data(ask('TERRA10-1.terra10-hs.Default.svc.cluster.local.', 'A').answers), ['10.244.0.6']);
  const owner = ask('TERRA10-1.terra10-hs.Default.svc.cluster.local.', 'A').answers[0]!.name;
  assert.equal(owner, 'TERRA10-1.terra10-hs.Default.svc.cluster.local', 'owner keeps the case of the question');
  assert.equal(ask('terra10-7.terra10-hs.default.svc.cluster.local', 'A').rcode, 'NXDOMAIN');
  // endpoints of a ClusterIP service without hostname are named by their dashed IP
  assert.deepEqual(data(ask('10-244-1-7.web.default.svc.cluster.local', 'A').answers), ['10.244.1.7']);
  assert.deepEqual(data(ask('web-abc.web.default.svc.cluster.local', 'A', { endpointPodNames: true }).answers), ['10.244.1.7']);
});

test('headless service without ready endpoints is NXDOMAIN unless it publishes not-ready addresses', () => {
  const r = ask('empty-hs.default.svc.cluster.local', 'A');
  assert.equal(r.rcode, 'NXDOMAIN');
  assert.equal(r.authorities[0]?.type, 'SOA');
  assert.deepEqual(data(ask('peers.default.svc.cluster.local', 'A').answers), ['10.244.3.1']);
  // a slice without ports still answers A, but has nothing for SRV
  assert.equal(ask('peers.default.svc.cluster.local', 'SRV').rcode, 'NOERROR');
  assert.deepEqual(ask('peers.default.svc.cluster.local', 'SRV').answers, []);
});

test('SRV: headless lists every endpoint with the endpoint port and A records in additional', () => {
  const r = ask('_http-transporter._tcp.terra10-hs.default.svc.cluster.local', 'SRV');
  assert.deepEqual(data(r.answers), [
    { priority: 0, weight: 50, port: 8090, target: 'terra10-0.terra10-hs.default.svc.cluster.local' },
    { priority: 0, weight: 50, port: 8090, target: 'terra10-1.terra10-hs.default.svc.cluster.local' },
  ]);
  assert.deepEqual(r.additionals.map((a) => [a.name, 'data' in a ? a.data : '']), [
    ['terra10-0.terra10-hs.default.svc.cluster.local', '10.244.0.5'],
    ['terra10-1.terra10-hs.default.svc.cluster.local', '10.244.0.6'],
  ]);
  assert.equal(ask('_nope._tcp.terra10-hs.default.svc.cluster.local', 'SRV').rcode, 'NXDOMAIN');
});

test('SRV: ClusterIP points at the service name with weight 100', () => {
  const r = ask('_dns._udp.web.default.svc.cluster.local', 'SRV');
  assert.deepEqual(data(r.answers), [{ priority: 0, weight: 100, port: 53, target: 'web.default.svc.cluster.local' }]);
  assert.deepEqual(data(r.additionals), ['10.96.0.20']);
  assert.equal(ask('_dns._tcp.web.default.svc.cluster.local', 'SRV').rcode, 'NXDOMAIN');
});

test('PTR for service IPs and endpoint IPs; reverse misses fall through', () => {
  assert.deepEqual(data(ask('20.0.96.10.in-addr.arpa', 'PTR').answers), ['web.default.svc.cluster.local']);
  assert.deepEqual(data(ask('6.0.244.10.in-addr.arpa', 'PTR').answers), ['terra10-1.terra10-hs.default.svc.cluster.local']);
  assert.deepEqual(data(ask('7.1.244.10.in-addr.arpa', 'PTR').answers), ['10-244-1-7.web.default.svc.cluster.local']);
  const miss = ask('9.9.9.9.in-addr.arpa', 'PTR');
  assert.equal(miss.rcode, 'NXDOMAIN');
  assert.equal(miss.delegate, true);
  // not-ready endpoints are not published in reverse either
  assert.equal(ask('1.2.244.10.in-addr.arpa', 'PTR').rcode, 'NXDOMAIN');
});

test('pod records: insecure answers any IP in an existing namespace, verified needs the pod', () => {
  assert.deepEqual(data(ask('10-244-9-9.default.pod.cluster.local', 'A').answers), ['10.244.9.9']);
  assert.equal(ask('10-244-9-9.nowhere.pod.cluster.local', 'A').rcode, 'NXDOMAIN');
  assert.equal(ask('10-244-9-9.default.pod.cluster.local', 'A', { podMode: 'verified' }).rcode, 'NXDOMAIN');
  assert.deepEqual(data(ask('10-244-0-5.default.pod.cluster.local', 'A', { podMode: 'verified' }).answers), ['10.244.0.5']);
  assert.equal(ask('10-244-0-5.default.pod.cluster.local', 'A', { podMode: 'disabled' }).rcode, 'NXDOMAIN');
});

test('ExternalName gives a CNAME, followed inside the zone', () => {
  assert.deepEqual(data(ask('ext.default.svc.cluster.local', 'A').answers), ['example.com']);
  assert.deepEqual(data(ask('ext.default.svc.cluster.local', 'CNAME').answers), ['example.com']);
  const chased = ask('alias.default.svc.cluster.local', 'A');
  assert.deepEqual(chased.answers.map((a) => a.type), ['CNAME', 'A']);
  assert.deepEqual(data(chased.answers), ['web.default.svc.cluster.local', '10.96.0.20']);
});

test('zone apex, schema version, unknown names and names outside the zone', () => {
  const soa = ask('cluster.local', 'SOA').answers[0]!;
  assert.equal(soa.type, 'SOA');
  assert.deepEqual(soa.type === 'SOA' && { ...soa.data, serial: 0 }, {
    mname: 'ns.dns.cluster.local', rname: 'hostmaster.cluster.local', serial: 0, refresh: 7200, retry: 1800, expire: 86400, minimum: 30,
  });
  const ns = ask('cluster.local', 'NS');
  assert.deepEqual(data(ns.answers), ['ns.dns.cluster.local']);
  assert.deepEqual(data(ns.additionals), ['127.0.0.1']);
  assert.deepEqual(data(ask('dns-version.cluster.local', 'TXT').answers), ['1.1.0']);
  assert.equal(ask('nope.default.svc.cluster.local', 'A').rcode, 'NXDOMAIN');
  assert.equal(ask('web.nowhere.svc.cluster.local', 'A').rcode, 'NXDOMAIN');
  assert.equal(ask('default.svc.cluster.local', 'A').rcode, 'NOERROR', 'an existing namespace is NODATA');
  assert.equal(ask('web.default.svc.cluster.local', 'MX').rcode, 'NOERROR');
  assert.equal(ask('nope.default.svc.cluster.local', 'MX').rcode, 'NXDOMAIN');
  const outside = ask('example.com', 'A');
  assert.equal(outside.rcode, 'REFUSED');
  assert.equal(outside.delegate, true);
  assert.equal(ask('cluster.local', 'AXFR').rcode, 'REFUSED');
  assert.equal(ask('web.default.svc.cluster.local', 'A', { ttlSeconds: 5 }).answers[0]!.type === 'A' &&
    (ask('web.default.svc.cluster.local', 'A', { ttlSeconds: 5 }).answers[0] as { ttl: number }).ttl, 5);
});

test('before the view has synced a name error is SERVFAIL, not NXDOMAIN', () => {
  const view = new WatchedDnsView({ clock: new FakeClock() });
  assert.equal(ask('web.default.svc.cluster.local', 'A', {}, view).rcode, 'SERVFAIL');
  for (const r of ['services', 'endpointslices', 'namespaces', 'pods'] as const) view.markSynced(r);
  assert.equal(ask('web.default.svc.cluster.local', 'A', {}, view).rcode, 'NXDOMAIN');
});

test('answer never throws on arbitrary names and types', async () => {
  const fc = await import('fast-check');
  const view = clusterView();
  const label = fc.stringMatching(/^[a-zA-Z0-9_-]{1,12}$/);
  const suffix = fc.constantFrom('', '.default.svc.cluster.local', '.svc.cluster.local', '.default.pod.cluster.local', '.cluster.local', '.in-addr.arpa', '.ip6.arpa');
  const type = fc.constantFrom<RecordType>('A', 'AAAA', 'SRV', 'PTR', 'TXT', 'SOA', 'NS', 'CNAME', 'MX', 'AXFR');
  fc.assert(
    fc.property(fc.array(label, { maxLength: 5 }), suffix, type, (labels, tail, t) => {
      const name = labels.join('.') + tail;
      const r = answer({ name: name || '.', type: t }, view, defaultAnswerOptions);
      assert.ok(['NOERROR', 'NXDOMAIN', 'REFUSED'].includes(r.rcode), `${name} ${t}: ${r.rcode}`);
      if (r.rcode === 'NXDOMAIN' || (r.rcode === 'NOERROR' && r.answers.length === 0)) assert.equal(r.authorities[0]?.type, 'SOA');
    }),
    { numRuns: 500, seed: 42 },
  );
});
