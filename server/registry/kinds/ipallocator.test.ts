import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ServiceIPAllocator } from './ipallocator.js';

test('a range no bigger than the static band hands out exactly its usable addresses, whatever the random picks', () => {
  for (const pick of [(n: number) => n - 1, () => 0]) {
    const ips = new ServiceIPAllocator('10.96.0.0/28', pick);
    const got = Array.from({ length: 14 }, (_, i) => ips.allocateNext(`ns/s${i}`));
    assert.deepEqual([...got].sort((a, b) => Number(a!.split('.')[3]) - Number(b!.split('.')[3])), Array.from({ length: 14 }, (_, i) => `10.96.0.${i + 1}`));
    assert.equal(ips.allocateNext('ns/full'), undefined, 'the network and broadcast addresses are never handed out');
  }
});

test('a /24 picks from the upper band first, keeping the lowest 16 addresses for users who ask for one', () => {
  const ips = new ServiceIPAllocator('10.96.0.0/24', () => 0);
  assert.equal(ips.allocateNext('ns/a'), '10.96.0.17');
  const high = new ServiceIPAllocator('10.96.0.0/24', (n) => n - 1);
  assert.equal(high.allocateNext('ns/a'), '10.96.0.254');
});
