import assert from 'node:assert/strict';
import { test } from 'node:test';
import { constants, createDeflate, createInflate, type Deflate, type Inflate } from 'node:zlib';
import {
  adler32, dataFrame, FrameReader, HeaderCodec, headerDictionary, parseHeaderBlock, pingFrame, rstStreamFrame, serializeHeaderBlock,
  synReplyFrame, synStreamFrame,
} from './spdy-frames.js';

test('the header dictionary is the SPDY/3 one (length and Adler-32 as in the draft)', () => {
  assert.equal(headerDictionary.length, 1423);
  assert.equal(adler32(headerDictionary), 3821447106);
});

test('header blocks round-trip and keep one compression context across frames', () => {
  const client = new HeaderCodec();
  const server = new FrameReader(new HeaderCodec());
  const a = synStreamFrame(client, 1, { streamtype: 'error', port: '80', requestid: '0' });
  const b = synStreamFrame(client, 3, { streamtype: 'data', port: '80', requestid: '0' });
  // The second block only decodes with the first one's state: one inflate context per connection.
  const frames = server.push(Buffer.concat([a, b]));
  assert.deepEqual(frames.map((f) => f.type === 'synStream' && [f.streamId, f.headers]), [
    [1, { streamtype: 'error', port: '80', requestid: '0' }],
    [3, { streamtype: 'data', port: '80', requestid: '0' }],
  ]);
});

test('frames split across chunks are reassembled', () => {
  const reader = new FrameReader(new HeaderCodec());
  const bytes = Buffer.concat([dataFrame(5, Buffer.from('hello'), true), pingFrame(7), rstStreamFrame(5, 5)]);
  const out = [];
  for (const byte of bytes) out.push(...reader.push(Buffer.from([byte])));
  assert.deepEqual(out, [
    { type: 'data', streamId: 5, flags: 1, data: Buffer.from('hello') },
    { type: 'ping', id: 7 },
    { type: 'rstStream', streamId: 5, status: 5 },
  ]);
});

test('SYN_REPLY from our deflate context is readable by a fresh peer context', () => {
  const ours = new HeaderCodec();
  const peer = new FrameReader(new HeaderCodec());
  const frames = peer.push(Buffer.concat([synReplyFrame(ours, 1), synReplyFrame(ours, 3, { a: 'b' })]));
  assert.deepEqual(frames, [
    { type: 'synReply', streamId: 1, flags: 0, headers: {} },
    { type: 'synReply', streamId: 3, flags: 0, headers: { a: 'b' } },
  ]);
});

test('header names are lower-cased and NUL-separated values joined', () => {
  const raw = serializeHeaderBlock({ StreamType: 'stdout', multi: 'a\0b' });
  assert.deepEqual(parseHeaderBlock(raw), { streamtype: 'stdout', multi: 'a,b' });
});

/** One sync-flushed piece of a long-lived zlib stream, as Go's framer writes header blocks. */
function flushThrough(z: Deflate | Inflate, input: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    z.write(input);
    z.flush(constants.Z_SYNC_FLUSH, () => {
      const out: Buffer[] = [];
      for (let c = z.read() as Buffer | null; c; c = z.read() as Buffer | null) out.push(c);
      resolve(Buffer.concat(out));
    });
    z.once('error', reject);
  });
}

test('really compressed blocks from one deflate context decode in order (as spdystream sends them)', async () => {
  const deflate = createDeflate({ dictionary: headerDictionary });
  const a = await flushThrough(deflate, serializeHeaderBlock({ streamtype: 'error', port: '8080', requestid: '0' }));
  const b = await flushThrough(deflate, serializeHeaderBlock({ streamtype: 'data', port: '8080', requestid: '0' }));
  const c = await flushThrough(deflate, serializeHeaderBlock({ streamtype: 'data', port: '8080', requestid: '1' }));
  deflate.close();
  const codec = new HeaderCodec();
  assert.deepEqual(codec.decode(a), { streamtype: 'error', port: '8080', requestid: '0' });
  assert.deepEqual(codec.decode(b), { streamtype: 'data', port: '8080', requestid: '0' });
  assert.deepEqual(codec.decode(c), { streamtype: 'data', port: '8080', requestid: '1' });
});

test('our header blocks decode through one long-lived inflate context (as spdystream reads them)', async () => {
  const ours = new HeaderCodec();
  const inflate = createInflate({ dictionary: headerDictionary });
  assert.deepEqual(parseHeaderBlock(await flushThrough(inflate, ours.encode({}))), {});
  assert.deepEqual(parseHeaderBlock(await flushThrough(inflate, ours.encode({ status: '200 OK' }))), { status: '200 OK' });
  inflate.close();
});

test('every outgoing header block ends with the sync-flush marker, so Go stops reading at the frame end', () => {
  const codec = new HeaderCodec();
  for (const block of [codec.encode({}), codec.encode({ a: 'b' })]) {
    assert.deepEqual([...block.subarray(-5)], [0x00, 0x00, 0x00, 0xff, 0xff]);
  }
});
