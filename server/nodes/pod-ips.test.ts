import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nodePodCidrs, parseCidr, PodIPAllocator, formatCidr } from './pod-ips.js';

test('the pod CIDR is split into one /24 per node after the first', () => {
  assert.deepEqual(nodePodCidrs('127.10.0.0/16', 3).map(formatCidr), ['127.10.1.0/24', '127.10.2.0/24', '127.10.3.0/24']);
  const shared = nodePodCidrs('127.10.0.0/25', 2);
  assert.equal(shared[0], shared[1]);
});

test('allocation skips the gateway, continues after the last address and reuses only after wrapping', () => {
  const ips = new PodIPAllocator(parseCidr('10.0.0.0/29'));
  assert.equal(ips.allocate('a'), '10.0.0.2');
  assert.equal(ips.allocate('a'), '10.0.0.2');
  assert.equal(ips.allocate('b'), '10.0.0.3');
  ips.release('a');
  assert.equal(ips.allocate('c'), '10.0.0.4');
  assert.equal(ips.allocate('d'), '10.0.0.5');
  assert.equal(ips.allocate('e'), '10.0.0.6');
  assert.equal(ips.allocate('f'), '10.0.0.2', 'wraps to the freed address');
  assert.throws(() => ips.allocate('g'), /no free pod IP/);
  assert.equal(ips.reserve('h', '10.0.0.3'), false);
});
