import type { WebSocket } from 'ws';
import type { Status } from 'kubernetes-types/meta/v1.js';
import {
  ResizeHub, resizeDecoder, runRemoteCommand, stdinPipe, type CommandIO, type RemoteCommandOptions,
} from './remotecommand.js';
import type { PodStreamDeps } from './pod-target.js';

/**
 * The remotecommand channel protocols over WebSocket (kubelet's wsstream; client-go websocket.go).
 * Every message carries a channel byte: 0 stdin, 1 stdout, 2 stderr, 3 error/status, 4 resize; v5 adds
 * 255 = "close channel N". The base64 variants are text messages with an ASCII channel digit.
 */
export const channelProtocols = [
  'v5.channel.k8s.io',
  'v4.channel.k8s.io',
  'v3.channel.k8s.io',
  'v2.channel.k8s.io',
  'channel.k8s.io',
  'v4.base64.channel.k8s.io',
  'v3.base64.channel.k8s.io',
  'v2.base64.channel.k8s.io',
  'base64.channel.k8s.io',
] as const;

const Channel = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

interface ProtocolTraits {
  base64: boolean;
  /** v4+ put a JSON Status on the error channel; older versions plain text, and nothing on success. */
  jsonStatus: boolean;
  /** v5: [255, channel] half-closes a channel (stdin EOF). */
  closeSignal: boolean;
}

export function traitsOf(protocol: string): ProtocolTraits {
  return {
    base64: protocol.includes('base64'),
    jsonStatus: protocol.startsWith('v4.') || protocol.startsWith('v5.'),
    closeSignal: protocol.startsWith('v5.'),
  };
}

/** Picks the client's first offered protocol that we speak, as the kubelet's handshake does. */
export function pickChannelProtocol(offered: Iterable<string>): string | false {
  for (const p of offered) if ((channelProtocols as readonly string[]).includes(p)) return p;
  return false;
}

function encodeMessage(traits: ProtocolTraits, channel: number, data: Buffer): Buffer | string {
  if (traits.base64) return String(channel) + data.toString('base64');
  return Buffer.concat([Buffer.from([channel]), data]);
}

function decodeMessage(traits: ProtocolTraits, raw: Buffer, isBinary: boolean): { channel: number; data: Buffer } | undefined {
  if (raw.length === 0) return undefined;
  if (traits.base64 && !isBinary) {
    const text = raw.toString('latin1');
    return { channel: Number(text[0]), data: Buffer.from(text.slice(1), 'base64') };
  }
  return { channel: raw[0], data: raw.subarray(1) };
}

const clientSettleMs = 30;

/** Serves one exec/attach over an accepted WebSocket, then closes it with 1000 after the status. */
export function serveChannelSession(deps: PodStreamDeps, ws: WebSocket, opts: RemoteCommandOptions): void {
  const traits = traitsOf(ws.protocol);
  const stdin = opts.stdin ? stdinPipe() : undefined;
  const resize = new ResizeHub();
  const onResizeBytes = resizeDecoder((s) => resize.emit(s));
  let open = true;
  const closed = new Promise<void>((resolve) => ws.once('close', () => {
    open = false;
    stdin?.end();
    resolve();
  }));
  const send = (channel: number, data: Buffer): void => {
    if (open && ws.readyState === ws.OPEN) ws.send(encodeMessage(traits, channel, data));
  };

  ws.on('message', (raw: Buffer, isBinary: boolean) => {
    const msg = decodeMessage(traits, raw, isBinary);
    if (!msg) return;
    if (msg.channel === Channel.stdin) {
      if (stdin && !stdin.writableEnded && msg.data.length) stdin.write(msg.data);
    } else if (msg.channel === Channel.resize) {
      onResizeBytes(msg.data);
    } else if (msg.channel === Channel.close && traits.closeSignal) {
      if (msg.data[0] === Channel.stdin) stdin?.end();
    }
  });

  const io: CommandIO = {
    stdin,
    writeStdout: (d) => send(Channel.stdout, d),
    writeStderr: (d) => send(Channel.stderr, d),
    onResize: (l) => resize.on(l),
  };
  // client-go starts reading the socket while it is still creating its streams, and drops frames for
  // a stream it has not created yet ("Unknown stream id 2"). On a real cluster the API server's hop to
  // the kubelet gives it that time; here the command would answer within the same TCP segment.
  const settled = new Promise((r) => setTimeout(r, clientSettleMs));
  void settled.then(() => runRemoteCommand(deps, opts, io, closed)).then((status) => {
    const body = statusPayload(traits, status);
    if (body) send(Channel.error, body);
    if (open) ws.close(1000);
  });
}

function statusPayload(traits: ProtocolTraits, status: Status): Buffer | undefined {
  if (traits.jsonStatus) return Buffer.from(JSON.stringify(status));
  return status.status === 'Success' ? undefined : Buffer.from(status.message ?? 'error');
}
