import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as dnsPacket from 'dns-packet';
import type { Answer } from 'dns-packet';
import { encodeResponse, encodeResponseWithin, flagAA, readQuestion } from './wire.js';

function query(name: string, type: dnsPacket.RecordType = 'A'): Buffer {
  return dnsPacket.encode({ type: 'query', id: 4242, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name }] });
}

const owner = 'Terra10-HS.default.svc.cluster.local';
const records: Answer[] = [
  { type: 'A', name: owner, ttl: 30, data: '10.244.0.5' },
  { type: 'AAAA', name: owner, ttl: 30, data: 'fd00::5' },
  { type: 'CNAME', name: owner, ttl: 30, data: 'web.default.svc.cluster.local' },
  { type: 'PTR', name: '5.0.244.10.in-addr.arpa', ttl: 30, data: 'terra10-0.terra10-hs.default.svc.cluster.local' },
  { type: 'SRV', name: `_http._tcp.${owner}`, ttl: 30, data: { priority: 0, weight: 50, port: 8090, target: 'terra10-0.terra10-hs.default.svc.cluster.local' } },
  { type: 'TXT', name: 'dns-version.cluster.local', ttl: 28800, data: '1.1.0' },
  { type: 'NS', name: 'cluster.local', ttl: 30, data: 'ns.dns.cluster.local' },
];
const soa: Answer = {
  type: 'SOA', name: 'cluster.local', ttl: 30,
  data: { mname: 'ns.dns.cluster.local', rname: 'hostmaster.cluster.local', serial: 1767225600, refresh: 7200, retry: 1800, expire: 86400, minimum: 30 },
};

test('responses decode to what was written, with compressed names', () => {
  const question = readQuestion(query(owner))!;
  assert.deepEqual(question.labels, owner.split('.'));
  const bytes = encodeResponse({ id: 4242, flags: flagAA, question, answers: records, authorities: [soa], additionals: [], opt: { udpPayloadSize: 1232, extendedRcode: 0, version: 0, flags: 0 } });
  const decoded = dnsPacket.decode(bytes);
  assert.equal(decoded.id, 4242);
  assert.equal(decoded.flag_qr, true);
  assert.equal(decoded.flag_aa, true);
  assert.deepEqual(decoded.questions, [{ name: owner, type: 'A', class: 'IN' }]);
  assert.deepEqual(decoded.answers!.map((a) => ('data' in a ? a.data : null)), records.map((r) => ('data' in r ? r.data : null)).map((d) => (d === '1.1.0' ? [Buffer.from('1.1.0')] : d)));
  assert.deepEqual(decoded.answers!.map((a) => a.name), records.map((r) => r.name));
  assert.equal(decoded.authorities![0]!.type, 'SOA');
  assert.deepEqual((decoded.authorities![0] as typeof soa).data, soa.data);
  assert.equal(decoded.additionals![0]!.type, 'OPT');
  const uncompressed = dnsPacket.encode({ type: 'response', id: 4242, questions: [{ name: owner, type: 'A' }], answers: records, authorities: [soa] });
  assert.ok(bytes.length < uncompressed.length - 100, `${bytes.length} vs ${uncompressed.length}`);
});

test('a malformed question section is rejected', () => {
  const q = query('a.b');
  assert.equal(readQuestion(q.subarray(0, q.length - 3)), undefined);
  const twoQuestions = Buffer.from(q);
  twoQuestions.writeUInt16BE(2, 4);
  assert.equal(readQuestion(twoQuestions), undefined);
  const pointer = Buffer.concat([q.subarray(0, 12), Buffer.from([0xc0, 0x0c, 0, 1, 0, 1])]);
  assert.equal(readQuestion(pointer), undefined);
});

test('answers over the limit are truncated to whole records with TC set', () => {
  const many: Answer[] = Array.from({ length: 60 }, (_, i) => ({ type: 'A', name: 'big.default.svc.cluster.local', ttl: 30, data: `10.0.${i >> 8}.${i & 255}` }));
  const question = readQuestion(query('big.default.svc.cluster.local'))!;
  const message = { id: 1, flags: flagAA, question, answers: many, authorities: [soa], additionals: [] };
  const small = encodeResponseWithin(message, 512);
  assert.equal(small.truncated, true);
  assert.ok(small.bytes.length <= 512);
  const decoded = dnsPacket.decode(small.bytes);
  assert.equal(decoded.flag_tc, true);
  assert.ok(decoded.answers!.length > 0 && decoded.answers!.length < 60);
  const big = encodeResponseWithin(message, 65535);
  assert.equal(big.truncated, false);
  assert.equal(dnsPacket.decode(big.bytes).answers!.length, 60);
});
