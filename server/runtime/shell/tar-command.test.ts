import assert from 'node:assert/strict';
import { lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { extract, pack, type Header } from 'tar-stream';
import { handleFor, testPod, testRuntime, testSubnet, type TestRuntime } from '../test-fixtures.js';
import { parseTarArgs } from './tar-command.js';

type Member = Partial<Header> & { name: string; body?: string };

/** An archive as kubectl cp (or any tar) would send it. */
async function archive(members: Member[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c: unknown) => {
    chunks.push(Buffer.from(c as Uint8Array));
  });
  const ended = new Promise<void>((resolve) => p.on('end', () => resolve()));
  for (const { body, ...header } of members) {
    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error | null): void => (err ? reject(err) : resolve());
      if (body !== undefined) p.entry(header, body, done);
      else p.entry(header, done);
    });
  }
  p.finalize();
  await ended;
  return Buffer.concat(chunks);
}

async function members(data: Buffer): Promise<{ name: string; type: string; linkname?: string; body: string }[]> {
  const ex = extract();
  ex.end(data);
  const out: { name: string; type: string; linkname?: string; body: string }[] = [];
  for await (const e of ex) {
    const parts: Buffer[] = [];
    for await (const c of e) parts.push(Buffer.from(c as Uint8Array));
    out.push({ name: e.header.name, type: e.header.type, ...(e.header.linkname ? { linkname: e.header.linkname } : {}), body: Buffer.concat(parts).toString() });
  }
  return out;
}

function collector(): { w: Writable; bytes(): Buffer } {
  const chunks: Buffer[] = [];
  return { w: new Writable({ write: (c: Buffer, _e, cb) => (chunks.push(c), cb()) }), bytes: () => Buffer.concat(chunks) };
}

describe('parseTarArgs: busybox option forms', () => {
  it('old-style clusters take the next arguments; dashed clusters and long options as kubectl sends them', () => {
    const cf = parseTarArgs(['tar', 'cf', '-', '/tmp/foo']);
    assert.deepEqual([cf.mode, cf.file, cf.names], ['c', '-', ['/tmp/foo']]);
    const xm = parseTarArgs(['tar', '-xmf', '-', '-C', '/tmp']);
    assert.deepEqual([xm.mode, xm.file, xm.dir, xm.touch], ['x', '-', '/tmp', true]);
    const np = parseTarArgs(['tar', '--no-same-permissions', '--no-same-owner', '-xmf', '-', '-C', '/d']);
    assert.deepEqual([np.mode, np.keepPermissions, np.dir], ['x', false, '/d']);
    // busybox moves f to the end of a first dashless cluster: "fx a.tar" is -x -f a.tar
    const fx = parseTarArgs(['tar', 'fx', 'a.tar']);
    assert.deepEqual([fx.mode, fx.file], ['x', 'a.tar']);
    const tv = parseTarArgs(['tar', 'tvzf', 'a.tgz', '--directory=/x', 'name', '-O']);
    assert.deepEqual([tv.mode, tv.verbose, tv.gzip, tv.dir, tv.names, tv.toStdout], ['t', 2, true, '/x', ['name'], true]);
  });

  it('no mode, two modes and unknown options are usage errors', () => {
    assert.throws(() => parseTarArgs(['tar', '-f', 'a.tar']));
    assert.throws(() => parseTarArgs(['tar', '-cx']));
    assert.throws(() => parseTarArgs(['tar', '-xq']), /invalid option -- 'q'/);
    assert.throws(() => parseTarArgs(['tar', '--bogus']), /unrecognized option '--bogus'/);
    assert.throws(() => parseTarArgs(['tar', '-xf']), /option requires an argument -- 'f'/);
  });
});

describe('tar in a simulated busybox container', () => {
  let rt: TestRuntime;
  let readOnly: string;
  const pod = 'box';
  const ip = `${testSubnet()}.30`;

  before(async () => {
    rt = testRuntime();
    readOnly = mkdtempSync(join(tmpdir(), 'kubemock-tar-ro-'));
    writeFileSync(join(readOnly, 'keep'), 'kept\n');
    const p = testPod(pod, [
      { name: 'bb', image: 'busybox:1.28.4', command: ['sleep', '3600'], volumeMounts: [{ name: 'ro', mountPath: '/ro', readOnly: true }, { name: 'rw', mountPath: '/rw' }] },
    ], { volumes: [{ name: 'ro', persistentVolumeClaim: { claimName: 'ro' } }, { name: 'rw', emptyDir: {} }] });
    await rt.runtime.start(handleFor(p, 'bb', ip, { ro: readOnly }));
  });
  after(async () => {
    await rt.cleanup();
    rmSync(readOnly, { recursive: true, force: true });
  });

  const run = async (command: string[], stdin?: Buffer) => {
    const out = collector();
    const err = collector();
    let input: PassThrough | undefined;
    if (stdin) {
      input = new PassThrough();
      input.end(stdin);
    }
    const code = await rt.streams.exec({ namespace: 'default', pod, container: 'bb', command, tty: false, stdin: input, stdout: out.w, stderr: err.w });
    return { code, out: out.bytes(), text: out.bytes().toString(), err: err.bytes().toString() };
  };
  const sh = (script: string) => run(['sh', '-c', script]);
  const host = (path: string): string => rt.instance('default', pod, 'bb')!.system.fs.resolvePath(path, '/', true).hostPath;

  it('tar cf - PATH (kubectl cp out of a pod) archives directories recursively with links, names relative', async () => {
    assert.equal((await sh('mkdir -p /srv/app/sub && echo one > /srv/app/a.txt && echo two > /srv/app/sub/b.txt && ln -s a.txt /srv/app/link')).code, 0);
    const r = await run(['tar', 'cf', '-', '/srv/app']);
    assert.equal(r.code, 0);
    assert.equal(r.err, "tar: removing leading '/' from member names\n");
    assert.deepEqual(await members(r.out), [
      { name: 'srv/app/', type: 'directory', body: '' },
      { name: 'srv/app/a.txt', type: 'file', body: 'one\n' },
      { name: 'srv/app/link', type: 'symlink', linkname: 'a.txt', body: '' },
      { name: 'srv/app/sub/', type: 'directory', body: '' },
      { name: 'srv/app/sub/b.txt', type: 'file', body: 'two\n' },
    ]);
    const hostname = await run(['tar', 'cf', '-', '/etc/hostname']);
    assert.deepEqual(await members(hostname.out), [{ name: 'etc/hostname', type: 'file', body: `${pod}\n` }]);
  });

  it('tar -xmf - -C DIR (kubectl cp into a pod) writes files, directories and links from stdin', async () => {
    const mtime = new Date('2020-01-02T03:04:05Z');
    const data = await archive([
      { name: 'dir/', type: 'directory', mode: 0o755, mtime },
      { name: 'dir/f.txt', body: 'hello\n', mode: 0o640, mtime },
      { name: 'dir/deep/g.txt', body: 'deep\n', mtime },
      { name: 'dir/ln', type: 'symlink', linkname: 'f.txt' },
    ]);
    const r = await run(['tar', '-xmf', '-', '-C', '/tmp'], data);
    assert.deepEqual({ code: r.code, err: r.err }, { code: 0, err: '' });
    assert.equal((await sh('cat /tmp/dir/f.txt /tmp/dir/deep/g.txt /tmp/dir/ln')).text, 'hello\ndeep\nhello\n');
    assert.equal(readlinkSync(host('/tmp/dir/ln')), 'f.txt');
    assert.equal(statSync(host('/tmp/dir/f.txt')).mode & 0o777, 0o640);
    // -m: the time of extraction, not the archive's
    assert.notEqual(statSync(host('/tmp/dir/f.txt')).mtime.getTime(), mtime.getTime());
    const again = await run(['tar', 'xf', '-', '-C', '/tmp'], await archive([{ name: 'dir/f.txt', body: 'replaced\n', mtime }]));
    assert.equal(again.code, 0);
    assert.equal(readFileSync(host('/tmp/dir/f.txt'), 'utf8'), 'replaced\n');
    assert.equal(statSync(host('/tmp/dir/f.txt')).mtime.getTime(), mtime.getTime());
  });

  it('gzip, verbose listing, a file archive and -O, through pipes of the shell', async () => {
    assert.equal((await sh('mkdir -p /w/d && echo x > /w/d/x && tar czf /tmp/w.tgz -C /w d')).code, 0);
    assert.deepEqual((await sh('tar tzf /tmp/w.tgz')).text, 'd/\nd/x\n');
    const listing = (await sh('tar tvf /tmp/w.tgz')).text.split('\n');
    assert.match(listing[0], /^drwx.{6} root\/root {9}0 \d{4}-\d\d-\d\d \d\d:\d\d:\d\d d\/$/);
    assert.match(listing[1], /^-rw.{7} root\/root {9}2 \d{4}-\d\d-\d\d \d\d:\d\d:\d\d d\/x$/);
    assert.equal((await sh('tar xzf /tmp/w.tgz -O d/x')).text, 'x\n');
    const piped = await sh('mkdir /tmp/copy && tar cvf - -C /w d | tar xvf - -C /tmp/copy && cat /tmp/copy/d/x');
    assert.deepEqual({ code: piped.code, out: piped.text, err: piped.err }, { code: 0, out: 'd/\nd/x\nx\n', err: 'd/\nd/x\n' });
    // gzip is detected without -z too
    assert.equal((await run(['tar', 'tf', '-'], gzipSync(await archive([{ name: 'g', body: 'z' }])))).text, 'g\n');
  });

  it('busybox messages: missing archive, missing member, missing -C, empty archive, no mode, garbage', async () => {
    assert.deepEqual(await sh('tar xf /nope'), { code: 1, out: Buffer.alloc(0), text: '', err: "tar: can't open '/nope': No such file or directory\n" });
    const missing = await sh('tar cf /tmp/m.tar /etc/hostname /nope');
    assert.equal(missing.code, 1);
    assert.equal(missing.err, "tar: removing leading '/' from member names\ntar: /nope: No such file or directory\ntar: error exit delayed from previous errors\n");
    assert.equal((await sh('tar tf /tmp/m.tar')).text, 'etc/hostname\n');
    assert.equal((await run(['tar', '-xf', '-', '-C', '/no/dir'], Buffer.alloc(10))).err, "tar: can't change directory to '/no/dir': No such file or directory\n");
    const empty = await sh('tar cf -');
    assert.deepEqual([empty.code, empty.err], [1, 'tar: empty archive\n']);
    const usage = await sh('tar -f x');
    assert.equal(usage.code, 1);
    assert.match(usage.err, /^BusyBox v1\.28\.4 .*\n\nUsage: tar /);
    const nothing = await run(['tar', 'x'], Buffer.alloc(0));
    assert.deepEqual([nothing.code, nothing.err], [1, 'tar: short read\n']);
    const garbage = await run(['tar', 'x'], Buffer.from('this is not a tar archive'.repeat(40)));
    assert.deepEqual([garbage.code, garbage.err], [1, 'tar: invalid tar magic\n']);
    assert.equal((await sh('tar xf /tmp/m.tar -C /tmp nothere')).err, 'tar: nothere: not found in archive\n');
  });

  it('a readOnly mount refuses extraction with "Read-only file system"; a writable volume takes it', async () => {
    const data = await archive([{ name: 'f.txt', body: 'data\n' }]);
    const r = await run(['tar', '-xmf', '-', '-C', '/ro'], data);
    assert.equal(r.code, 1);
    assert.equal(r.err, "tar: can't open 'f.txt': Read-only file system\n");
    assert.throws(() => lstatSync(join(readOnly, 'f.txt')));
    const over = await run(['tar', '-xmf', '-', '-C', '/ro'], await archive([{ name: 'keep', body: 'changed\n' }]));
    assert.equal(over.err, "tar: can't remove old file keep: Read-only file system\n");
    assert.equal(readFileSync(join(readOnly, 'keep'), 'utf8'), 'kept\n');
    assert.equal((await run(['tar', '-xmf', '-', '-C', '/rw'], data)).code, 0);
    assert.equal((await sh('cat /rw/f.txt')).text, 'data\n');
  });

  it('members never escape the target: leading / and .. are stripped, links up or absolute are made last', async () => {
    await sh('mkdir -p /jail');
    const r = await run(['tar', 'xf', '-', '-C', '/jail'], await archive([
      { name: '../evil', body: 'e\n' },
      { name: 'a/../../b', body: 'b\n' },
      { name: '/abs', body: 'a\n' },
    ]));
    assert.equal(r.code, 0);
    assert.equal(r.err, "tar: removing leading '../' from member names\n");
    assert.equal((await sh('ls /jail; ls / | grep -c evil')).text, 'abs\nb\nevil\n0\n');
    // a link to /etc followed by a member beneath it: the member cannot go through the link
    await sh('mkdir -p /jail2');
    const link = await run(['tar', 'xf', '-', '-C', '/jail2'], await archive([
      { name: 'l', type: 'symlink', linkname: '/etc' },
      { name: 'l/passwd-owned', body: 'x\n' },
    ]));
    assert.equal(link.code, 1);
    assert.equal(link.err, "tar: can't create symlink 'l' to '/etc': File exists\n");
    assert.equal((await sh('ls /etc | grep -c owned; cat /jail2/l/passwd-owned')).text, '0\nx\n');
  });
});
