import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalIP, dashedIP, ipFromDashed, ipFromReverseName, reverseNameForIP } from './ip.js';

test('dashed names round-trip for IPv4 and IPv6', () => {
  assert.equal(dashedIP('10.244.1.5'), '10-244-1-5');
  assert.equal(ipFromDashed('10-244-1-5'), '10.244.1.5');
  assert.equal(dashedIP('fd00::'), 'fd00--0');
  assert.equal(ipFromDashed('fd00--1'), 'fd00::1');
  assert.equal(ipFromDashed('10-244-1'), undefined);
  assert.equal(ipFromDashed('300-1-1-1'), undefined);
  assert.equal(ipFromDashed('web-0'), undefined);
});

test('reverse names map to addresses and back', () => {
  assert.equal(ipFromReverseName('5.1.244.10.in-addr.arpa'), '10.244.1.5');
  assert.equal(ipFromReverseName('5.1.244.10.IN-ADDR.ARPA.'), '10.244.1.5');
  assert.equal(ipFromReverseName('1.244.10.in-addr.arpa'), undefined);
  assert.equal(ipFromReverseName('256.1.244.10.in-addr.arpa'), undefined);
  assert.equal(reverseNameForIP('10.244.1.5'), '5.1.244.10.in-addr.arpa');
  const v6 = reverseNameForIP('fd00::1');
  assert.equal(v6, '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa');
  assert.equal(ipFromReverseName(v6!), 'fd00::1');
  assert.equal(canonicalIP('FD00:0:0:0:0:0:0:1'), 'fd00::1');
});
