import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { randomHex, randomSuffix } from './names.js';

describe('random names from the pooled bytes', () => {
  it('gives hex of the asked length, distinct across the pool refills', () => {
    const seen = new Set<string>();
    // 300 container IDs take 9,600 bytes: the 4 KiB pool refills twice on the way
    for (let i = 0; i < 300; i++) {
      const hex = randomHex(32);
      assert.match(hex, /^[0-9a-f]{64}$/);
      seen.add(hex);
    }
    assert.equal(seen.size, 300);
  });

  it('keeps generateName suffixes in utilrand\'s alphabet', () => {
    for (let i = 0; i < 1000; i++) assert.match(randomSuffix(), /^[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });
});
