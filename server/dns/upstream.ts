/**
 * Forwarding what is not the cluster's to one upstream resolver over UDP, as the kubeadm
 * Corefile's `forward . /etc/resolv.conf` does. The query bytes go out unchanged (same id, same
 * EDNS size), so the upstream's reply can be relayed to the client as it is.
 */
import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { Clock } from '../meta/clock.js';

export interface UpstreamAddress {
  readonly host: string;
  readonly port: number;
}

/** `host:port`, `[v6]:port`, or a bare host meaning port 53. */
export function parseUpstream(spec: string): UpstreamAddress {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(spec);
  if (bracketed) return { host: bracketed[1]!, port: portOf(bracketed[2], spec) };
  if (isIPv6(spec)) return { host: spec, port: 53 };
  const colon = spec.lastIndexOf(':');
  if (colon < 0) return { host: spec, port: 53 };
  return { host: spec.slice(0, colon), port: portOf(spec.slice(colon + 1), spec) };
}

function portOf(text: string | undefined, spec: string): number {
  if (text === undefined) return 53;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`invalid upstream address ${spec}`);
  return port;
}

export class UpstreamError extends Error {}

/** Resolves with the upstream's reply to `query`, or rejects on timeout or socket error. */
export function forwardUdp(query: Buffer, upstream: UpstreamAddress, timeoutMs: number, clock: Pick<Clock, 'setTimer'>): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(isIPv6(upstream.host) ? 'udp6' : 'udp4');
    const id = query.readUInt16BE(0);
    let settled = false;
    const finish = (result: { reply: Buffer } | { error: Error }) => {
      if (settled) return;
      settled = true;
      timer.cancel();
      socket.close();
      if ('reply' in result) resolve(result.reply);
      else reject(result.error);
    };
    const timer = clock.setTimer(timeoutMs, () => finish({ error: new UpstreamError(`upstream ${upstream.host}:${upstream.port} timed out`) }));
    socket.on('error', (error) => finish({ error }));
    socket.on('message', (reply) => {
      // a reply to someone else's id (or garbage) is ignored; the timer still bounds the wait
      if (reply.length >= 12 && reply.readUInt16BE(0) === id) finish({ reply });
    });
    socket.send(query, upstream.port, upstream.host, (error) => {
      if (error) finish({ error });
    });
  });
}
