/**
 * `kubemock dns <name> [type]`: a small nslookup against the running server. It applies a pod's
 * resolver rules when given a namespace (search `<ns>.svc.<zone> svc.<zone> <zone>`, ndots 5),
 * asks over UDP with EDNS0, retries over TCP when the reply is truncated, and prints like
 * `dig +short` (errors like nslookup).
 */
import { createSocket } from 'node:dgram';
import { connect, isIP, isIPv6 } from 'node:net';
import * as dnsPacket from 'dns-packet';
import type { Answer, DecodedPacket, RecordType } from 'dns-packet';
import { realClock, type Clock } from '../meta/clock.js';
import { reverseNameForIP } from './ip.js';

export interface DnsLookupOptions {
  server: string;
  port: number;
  name: string;
  /** Record type, default A (PTR when the name is an IP address). */
  type?: string;
  /** Resolve short names as a pod in this namespace would. */
  searchNamespace?: string;
  zone?: string;
  timeoutMs?: number;
  clock?: Clock;
}

export interface DnsLookupResult {
  /** The name that produced the result (after the search list). */
  name: string;
  rcode: string;
  answers: Answer[];
  text: string;
}

const ndots = 5;

export async function runDnsLookup(options: DnsLookupOptions): Promise<string> {
  return (await lookupDns(options)).text;
}

export async function lookupDns(options: DnsLookupOptions): Promise<DnsLookupResult> {
  const reverse = isIP(options.name) !== 0 && (options.type === undefined || options.type.toUpperCase() === 'PTR');
  const type = (reverse ? 'PTR' : (options.type ?? 'A').toUpperCase()) as RecordType;
  const names = reverse ? [reverseNameForIP(options.name)!] : candidateNames(options.name, options.searchNamespace, options.zone ?? 'cluster.local');
  let noData: DnsLookupResult | undefined;
  let notFound: DnsLookupResult | undefined;
  let last: DnsLookupResult | undefined;
  for (const name of names) {
    const reply = await query(options, name, type);
    const result = { name, rcode: rcodeOf(reply), answers: reply.answers ?? [], text: '' };
    if (result.rcode === 'NOERROR' && result.answers.length) return { ...result, text: formatAnswers(result.answers) };
    // like res_search: a name error moves on to the next suffix, and so does an empty answer; the
    // absolute name of a short one is outside the zone, which the server refuses without an upstream
    if (result.rcode === 'NOERROR') noData ??= result;
    else if (result.rcode === 'NXDOMAIN') notFound ??= result;
    else if (result.rcode !== 'REFUSED') return { ...result, text: `** server can't find ${options.name}: ${result.rcode}` };
    last = result;
  }
  if (noData) return { ...noData, text: `*** Can't find ${options.name}: No answer` };
  const final = notFound ?? last!;
  return { ...final, text: `** server can't find ${options.name}: ${final.rcode}` };
}

/** The resolv.conf search order a pod in `namespace` uses (kubelet's ClusterFirst policy). */
export function candidateNames(name: string, namespace: string | undefined, zone: string): string[] {
  if (name.endsWith('.')) return [name.slice(0, -1)];
  if (!namespace) return [name];
  const searched = [`${namespace}.svc.${zone}`, `svc.${zone}`, zone].map((suffix) => `${name}.${suffix}`);
  const dots = name.split('.').length - 1;
  return dots >= ndots ? [name, ...searched] : [...searched, name];
}

export function formatAnswers(answers: readonly Answer[]): string {
  return answers.map(formatAnswer).join('\n');
}

function formatAnswer(rr: Answer): string {
  switch (rr.type) {
    case 'A':
    case 'AAAA':
      return rr.data;
    case 'CNAME':
    case 'PTR':
    case 'NS':
      return `${rr.data}.`;
    case 'SRV':
      return `${rr.data.priority ?? 0} ${rr.data.weight ?? 0} ${rr.data.port} ${rr.data.target}.`;
    case 'TXT': {
      const parts = Array.isArray(rr.data) ? rr.data : [rr.data];
      return parts.map((p) => `"${p.toString()}"`).join(' ');
    }
    case 'SOA': {
      const d = rr.data;
      return `${d.mname}. ${d.rname}. ${d.serial} ${d.refresh} ${d.retry} ${d.expire} ${d.minimum}`;
    }
    case 'MX':
      return `${rr.data.preference ?? 0} ${rr.data.exchange}.`;
    default:
      return `${rr.type} record`;
  }
}

async function query(options: DnsLookupOptions, name: string, type: RecordType): Promise<DecodedPacket> {
  const id = Math.floor(Math.random() * 65536);
  const packet = dnsPacket.encode({
    type: 'query',
    id,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type }],
    additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }],
  });
  const timeoutMs = options.timeoutMs ?? 2000;
  const clock = options.clock ?? realClock;
  const udpReply = dnsPacket.decode(await exchangeUdp(packet, options.server, options.port, timeoutMs, clock));
  if (!udpReply.flag_tc) return udpReply;
  return dnsPacket.decode(await exchangeTcp(packet, options.server, options.port, timeoutMs, clock));
}

const rcodeNames = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];

/** dns-packet decodes the rcode but its typings do not declare it; the header bits are read instead. */
function rcodeOf(reply: DecodedPacket): string {
  const code = (reply.flags ?? 0) & 0xf;
  return rcodeNames[code] ?? `RCODE${code}`;
}

function exchangeUdp(packet: Buffer, host: string, port: number, timeoutMs: number, clock: Clock): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
    const id = packet.readUInt16BE(0);
    const timer = clock.setTimer(timeoutMs, () => done(new Error(`;; connection timed out; no servers could be reached at ${host}:${port}`)));
    const done = (error: Error | undefined, reply?: Buffer) => {
      timer.cancel();
      socket.close();
      if (error) reject(error);
      else resolve(reply!);
    };
    socket.on('error', (e) => done(e));
    socket.on('message', (reply) => {
      if (reply.length >= 12 && reply.readUInt16BE(0) === id) done(undefined, reply);
    });
    socket.send(packet, port, host);
  });
}

function exchangeTcp(packet: Buffer, host: string, port: number, timeoutMs: number, clock: Clock): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let received: Buffer = Buffer.alloc(0);
    const timer = clock.setTimer(timeoutMs, () => done(new Error(`;; connection timed out over TCP to ${host}:${port}`)));
    const done = (error: Error | undefined, reply?: Buffer) => {
      timer.cancel();
      socket.destroy();
      if (error) reject(error);
      else resolve(reply!);
    };
    socket.on('error', (e) => done(e));
    socket.on('connect', () => {
      const prefix = Buffer.alloc(2);
      prefix.writeUInt16BE(packet.length);
      socket.write(Buffer.concat([prefix, packet]));
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 2 && received.length >= 2 + received.readUInt16BE(0)) {
        done(undefined, received.subarray(2, 2 + received.readUInt16BE(0)));
      }
    });
  });
}
