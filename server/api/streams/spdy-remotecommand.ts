import type { Status } from 'kubernetes-types/meta/v1.js';
import type { PodStreamDeps } from './pod-target.js';
import { ResizeHub, resizeDecoder, runRemoteCommand, stdinPipe, type CommandIO, type RemoteCommandOptions } from './remotecommand.js';
import type { SpdySession, SpdyStream } from './spdy-session.js';

/** Versions of the remotecommand protocol over SPDY we negotiate, best first (X-Stream-Protocol-Version). */
export const spdyRemoteCommandProtocols = ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'];

type StreamType = 'error' | 'stdin' | 'stdout' | 'stderr' | 'resize';

/** How long the client gets to open every stream it asked for (the kubelet's stream creation timeout). */
const streamCreationTimeoutMs = 30_000;

function expectedStreams(opts: RemoteCommandOptions, protocol: string): StreamType[] {
  const out: StreamType[] = ['error'];
  if (opts.stdin) out.push('stdin');
  if (opts.stdout) out.push('stdout');
  if (opts.stderr) out.push('stderr');
  if (opts.tty && protocol !== 'channel.k8s.io' && protocol !== 'v2.channel.k8s.io') out.push('resize');
  return out;
}

/**
 * exec/attach over SPDY: the client opens one stream per channel (header `streamtype`); once all are there the
 * command runs, output goes out as DATA on stdout/stderr, and the Status is written to the error stream. Every
 * stream we write is then FIN'd: client-go reads stdout, stderr and the error stream to EOF before it returns.
 */
export function serveSpdyRemoteCommand(deps: PodStreamDeps, session: SpdySession, opts: RemoteCommandOptions, protocol: string): void {
  const wanted = expectedStreams(opts, protocol);
  const got = new Map<StreamType, SpdyStream>();
  let started = false;
  const timer = setTimeout(() => {
    deps.logger.debug({ pod: opts.pod, got: [...got.keys()] }, 'remotecommand: streams not created in time');
    session.close();
  }, streamCreationTimeoutMs);
  timer.unref();
  session.on('close', () => clearTimeout(timer));

  session.on('stream', (stream) => {
    const type = stream.headers.streamtype as StreamType;
    if (!wanted.includes(type) || got.has(type)) {
      stream.reset();
      return;
    }
    got.set(type, stream);
    if (!started && wanted.every((t) => got.has(t))) {
      started = true;
      clearTimeout(timer);
      run(deps, session, opts, protocol, got);
    }
  });
}

function run(deps: PodStreamDeps, session: SpdySession, opts: RemoteCommandOptions, protocol: string, streams: Map<StreamType, SpdyStream>): void {
  const closed = new Promise<void>((resolve) => session.once('close', () => resolve()));
  const resize = new ResizeHub();
  streams.get('resize')?.on('data', resizeDecoder((s) => resize.emit(s)));
  const stdinStream = streams.get('stdin');
  const stdin = stdinStream ? stdinPipe() : undefined;
  if (stdinStream && stdin) stdinStream.pipe(stdin);
  const write = (type: StreamType) => (d: Buffer): void => {
    const s = streams.get(type);
    if (s && !s.localClosed && !session.closed) s.write(d);
  };
  const io: CommandIO = { stdin, writeStdout: write('stdout'), writeStderr: write('stderr'), onResize: (l) => resize.on(l) };
  // Streams we only read still need our FIN so they are fully closed on both ends. Not stdin yet:
  // some kubectl versions stop sending stdin once they see our FIN on it, so it waits for the exit.
  streams.get('resize')?.finishLocal();
  void runRemoteCommand(deps, opts, io, closed).then((status) => {
    if (session.closed) return;
    streams.get('stdin')?.finishLocal();
    streams.get('stdout')?.finish();
    streams.get('stderr')?.finish();
    streams.get('error')?.finish(statusPayload(protocol, status));
  });
}

function statusPayload(protocol: string, status: Status): Buffer | undefined {
  if (protocol.startsWith('v4.') || protocol.startsWith('v5.')) return Buffer.from(JSON.stringify(status));
  return status.status === 'Success' ? undefined : Buffer.from(status.message ?? 'error');
}
