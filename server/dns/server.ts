/**
 * The DNS wire servers: UDP and TCP on one port, answering from a DnsView through answer().
 * Everything that can go wrong with a packet is contained per packet: unreadable bytes are dropped,
 * readable-but-wrong queries get FORMERR, and no packet can take the server down.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, isIPv6, type Server as TcpServer, type Socket as TcpSocket } from 'node:net';
import * as dnsPacket from 'dns-packet';
import type { Answer, DecodedPacket, OptAnswer, Question } from 'dns-packet';
import { realClock, type Clock } from '../meta/clock.js';
import { answer, defaultAnswerOptions, type AnswerOptions, type DnsAnswer, type PodRecordMode } from './answer.js';
import { normalizeName } from './parse.js';
import { forwardUdp, parseUpstream, type UpstreamAddress } from './upstream.js';
import type { DnsView } from './view.js';
import {
  encodeResponse,
  encodeResponseWithin,
  flagAA,
  flagRA,
  flagRD,
  rcodeNumbers,
  readQuestion,
  type OptRecord,
  type RawQuestion,
  type ResponseMessage,
} from './wire.js';

export interface DnsServerOptions {
  host: string;
  /** 0 picks a free port (the same one for UDP and TCP). */
  port: number;
  view: DnsView;
  zone?: string;
  ttlSeconds?: number;
  podMode?: PodRecordMode;
  endpointPodNames?: boolean;
  /** `host:port` of a resolver for names outside the zone (`--dns-upstream`). */
  upstream?: string | UpstreamAddress;
  upstreamTimeoutMs?: number;
  clock?: Clock;
  /** Told about failures that are not the client's fault (an encoder bug, a socket error). */
  onError?: (error: unknown) => void;
}

export interface DnsServerStats {
  udpQueries: number;
  tcpQueries: number;
  truncated: number;
  formErrors: number;
  dropped: number;
  forwarded: number;
}

export interface DnsServer {
  readonly host: string;
  readonly udpPort: number;
  readonly tcpPort: number;
  stats(): Readonly<DnsServerStats>;
  close(): Promise<void>;
}

/** Plain DNS without EDNS0 is limited to 512 bytes over UDP (RFC 1035 §4.2.1). */
const classicUdpLimit = 512;
/** The EDNS0 buffer size we advertise and honour at most: the DNS flag day 2020 value. */
const ourUdpPayloadSize = 1232;
const tcpLimit = 65535;
const tcpIdleMs = 10_000;
const opcodeQuery = 0;
const ednsBadVersion = 1; // extended rcode 16 = BADVERS, upper bits

type Transport = 'udp' | 'tcp';

export async function startDnsServer(options: DnsServerOptions): Promise<DnsServer> {
  const clock = options.clock ?? realClock;
  const upstream = typeof options.upstream === 'string' ? parseUpstream(options.upstream) : options.upstream;
  const answerOptions: AnswerOptions = {
    ...defaultAnswerOptions,
    zone: normalizeName(options.zone ?? defaultAnswerOptions.zone),
    ttlSeconds: options.ttlSeconds ?? defaultAnswerOptions.ttlSeconds,
    podMode: options.podMode ?? defaultAnswerOptions.podMode,
    endpointPodNames: options.endpointPodNames ?? false,
    nameserverIPs: [isWildcard(options.host) ? '127.0.0.1' : options.host],
  };
  const stats: DnsServerStats = { udpQueries: 0, tcpQueries: 0, truncated: 0, formErrors: 0, dropped: 0, forwarded: 0 };
  const onError = options.onError ?? (() => {});
  const responder = new Responder(options.view, answerOptions, stats, upstream, options.upstreamTimeoutMs ?? 2000, clock, onError);

  const { udp, tcp, port } = await bindBoth(options.host, options.port);
  const connections = new Set<TcpSocket>();
  serveUdp(udp, responder, stats, onError);
  tcp.on('connection', (socket) => {
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
    serveTcpConnection(socket, responder, stats, onError);
  });
  tcp.on('error', onError);

  return {
    host: options.host,
    udpPort: port,
    tcpPort: port,
    stats: () => ({ ...stats }),
    close: async () => {
      for (const socket of connections) socket.destroy();
      await Promise.all([
        new Promise<void>((resolve) => udp.close(() => resolve())),
        new Promise<void>((resolve) => tcp.close(() => resolve())),
      ]);
    },
  };
}

// ---- answering one message ----

/** How many distinct queries the response cache keeps before it starts over. */
const responseCacheSize = 10_000;

class Responder {
  /**
   * Replies by the query's bytes after its ID (flags, question, EDNS) and transport. A reply depends
   * on nothing else while the view is unchanged, so an entry is good until the view's change count
   * moves; only the ID differs between two answers to the same question.
   */
  private readonly replies = new Map<string, { changes: number; bytes: Buffer; truncated: boolean }>();

  constructor(
    private readonly view: DnsView,
    private readonly options: AnswerOptions,
    private readonly stats: DnsServerStats,
    private readonly upstream: UpstreamAddress | undefined,
    private readonly upstreamTimeoutMs: number,
    private readonly clock: Clock,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** The reply to send for `query`, or undefined to send nothing. */
  async respond(query: Buffer, transport: Transport): Promise<Buffer | undefined> {
    // fewer than 12 bytes has no id to answer to; a response (QR set) must never be answered
    if (query.length < 12 || (query[2]! & 0x80) !== 0) {
      this.stats.dropped++;
      return undefined;
    }
    const key = `${transport}${query.toString('latin1', 2)}`;
    const cached = this.replies.get(key);
    if (cached && cached.changes === this.view.changeCount() && this.view.hasSynced()) {
      if (cached.truncated) this.stats.truncated++;
      const reply = Buffer.from(cached.bytes);
      query.copy(reply, 0, 0, 2);
      return reply;
    }
    const reply = await this.respondUncached(query, transport);
    if (reply?.cacheable) this.remember(key, reply.bytes, reply.truncated);
    return reply?.bytes;
  }

  private remember(key: string, bytes: Buffer, truncated: boolean): void {
    if (this.replies.size >= responseCacheSize) this.replies.clear();
    this.replies.set(key, { changes: this.view.changeCount(), bytes, truncated });
  }

  private async respondUncached(query: Buffer, transport: Transport): Promise<{ bytes: Buffer; cacheable: boolean; truncated: boolean } | undefined> {
    const uncacheable = (bytes: Buffer): { bytes: Buffer; cacheable: boolean; truncated: boolean } => ({ bytes, cacheable: false, truncated: false });
    const id = query.readUInt16BE(0);
    const flags = query.readUInt16BE(2);
    const opcode = (flags >> 11) & 0xf;
    const replyFlags = (opcode << 11) | (flags & flagRD) | (this.upstream ? flagRA : 0);

    let decoded: DecodedPacket;
    try {
      decoded = dnsPacket.decode(query);
    } catch {
      return uncacheable(this.formErr(id, replyFlags));
    }
    const question = readQuestion(query);
    const asked = decoded.questions?.[0];
    if (opcode !== opcodeQuery) return uncacheable(encodeResponse(bare(id, replyFlags | rcodeNumbers.NOTIMP, question)));
    if (!question || !asked) return uncacheable(this.formErr(id, replyFlags));

    const clientOpt = decoded.additionals?.find((a): a is OptAnswer => a.type === 'OPT');
    const opt: OptRecord | undefined = clientOpt && { udpPayloadSize: ourUdpPayloadSize, extendedRcode: 0, version: 0, flags: 0 };
    if (clientOpt && clientOpt.ednsVersion > 0) {
      return uncacheable(encodeResponse({ ...bare(id, replyFlags, question), opt: { ...opt!, extendedRcode: ednsBadVersion } }));
    }

    try {
      return await this.answerQuestion(query, id, replyFlags, question, asked, clientOpt, opt, transport);
    } catch (error) {
      // a bug answering one name must cost that query a SERVFAIL, not the server
      this.onError(error);
      return uncacheable(encodeResponse(bare(id, replyFlags | rcodeNumbers.SERVFAIL, question)));
    }
  }

  private async answerQuestion(
    query: Buffer,
    id: number,
    replyFlags: number,
    question: RawQuestion,
    asked: Question,
    clientOpt: OptAnswer | undefined,
    opt: OptRecord | undefined,
    transport: Transport,
  ): Promise<{ bytes: Buffer; cacheable: boolean; truncated: boolean }> {
    const result = answer(asked, this.view, this.options);
    if (result.delegate && this.upstream) {
      const forwarded = await this.forward(query);
      return { bytes: forwarded ?? encodeResponse({ ...bare(id, replyFlags | rcodeNumbers.SERVFAIL, question), ...(opt ? { opt } : {}) }), cacheable: false, truncated: false };
    }
    const answers = await this.chaseExternalName(asked, result, query);
    const message: ResponseMessage = {
      id,
      flags: replyFlags | (result.authoritative ? flagAA : 0) | rcodeNumbers[result.rcode],
      question,
      answers,
      authorities: result.authorities,
      additionals: result.additionals,
      ...(opt ? { opt } : {}),
    };
    const limit = transport === 'tcp' ? tcpLimit : udpLimit(clientOpt);
    const { bytes, truncated } = encodeResponseWithin(message, limit);
    if (truncated) this.stats.truncated++;
    // what upstream said about an ExternalName's target is not the view's to keep
    const cacheable = !result.delegate && answers === result.answers && this.view.hasSynced();
    return { bytes, cacheable, truncated };
  }

  private formErr(id: number, replyFlags: number): Buffer {
    this.stats.formErrors++;
    return encodeResponse(bare(id, replyFlags | rcodeNumbers.FORMERR, undefined));
  }

  private async forward(query: Buffer): Promise<Buffer | undefined> {
    this.stats.forwarded++;
    try {
      return await forwardUdp(query, this.upstream!, this.upstreamTimeoutMs, this.clock);
    } catch {
      return undefined;
    }
  }

  /**
   * An ExternalName's CNAME to a name outside the zone: CoreDNS looks the target up upstream and
   * appends what it finds, so that a stub resolver gets addresses in one reply.
   */
  private async chaseExternalName(asked: Question, result: DnsAnswer, query: Buffer): Promise<Answer[]> {
    const last = result.answers.at(-1);
    if (!this.upstream || last?.type !== 'CNAME' || (asked.type !== 'A' && asked.type !== 'AAAA')) return result.answers;
    const target = last.data;
    const lookup = dnsPacket.encode({ type: 'query', id: query.readUInt16BE(0), flags: flagRD, questions: [{ name: target, type: asked.type }] });
    const reply = await this.forward(lookup);
    if (!reply) return result.answers;
    try {
      const extra = (dnsPacket.decode(reply).answers ?? []).filter((a) => ['A', 'AAAA', 'CNAME'].includes(a.type));
      return [...result.answers, ...extra];
    } catch {
      return result.answers;
    }
  }
}

function bare(id: number, flags: number, question: RawQuestion | undefined): ResponseMessage {
  return { id, flags, ...(question ? { question } : {}), answers: [], authorities: [], additionals: [] };
}

function udpLimit(clientOpt: OptAnswer | undefined): number {
  if (!clientOpt) return classicUdpLimit;
  return Math.min(Math.max(clientOpt.udpPayloadSize, classicUdpLimit), ourUdpPayloadSize);
}

// ---- transports ----

function serveUdp(udp: UdpSocket, responder: Responder, stats: DnsServerStats, onError: (e: unknown) => void): void {
  udp.on('message', (query, remote) => {
    stats.udpQueries++;
    responder.respond(query, 'udp').then(
      (reply) => {
        if (reply) udp.send(reply, remote.port, remote.address, (error) => error && onError(error));
      },
      onError,
    );
  });
  udp.on('error', onError);
}

/** RFC 1035 §4.2.2 / RFC 7766 framing: a two-byte length before every message, pipelining allowed. */
function serveTcpConnection(socket: TcpSocket, responder: Responder, stats: DnsServerStats, onError: (e: unknown) => void): void {
  let pending: Buffer = Buffer.alloc(0);
  socket.setTimeout(tcpIdleMs, () => socket.destroy());
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: Buffer) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    while (pending.length >= 2) {
      const length = pending.readUInt16BE(0);
      if (pending.length < 2 + length) break;
      const query = pending.subarray(2, 2 + length);
      pending = pending.subarray(2 + length);
      stats.tcpQueries++;
      responder.respond(Buffer.from(query), 'tcp').then((reply) => {
        if (!reply || socket.destroyed) return;
        const prefix = Buffer.alloc(2);
        prefix.writeUInt16BE(reply.length);
        socket.write(Buffer.concat([prefix, reply]));
      }, onError);
    }
  });
}

async function bindBoth(host: string, port: number): Promise<{ udp: UdpSocket; tcp: TcpServer; port: number }> {
  // with port 0 the UDP port is picked first; TCP may find it taken, so try a few times
  const attempts = port === 0 ? 10 : 1;
  let lastError: unknown;
  for (let i = 0; i < attempts; i++) {
    const udp = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4' });
    try {
      const bound = await bindUdp(udp, host, port);
      raiseReceiveBuffer(udp);
      const tcp = await listenTcp(host, bound);
      return { udp, tcp, port: bound };
    } catch (error) {
      lastError = error;
      udp.close();
    }
  }
  throw lastError;
}

function bindUdp(udp: UdpSocket, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(port, host, () => {
      udp.off('error', reject);
      resolve(udp.address().port);
    });
  });
}

function listenTcp(host: string, port: number): Promise<TcpServer> {
  return new Promise((resolve, reject) => {
    const tcp = createServer();
    tcp.once('error', reject);
    tcp.listen(port, host, () => {
      tcp.off('error', reject);
      resolve(tcp);
    });
  });
}

/** A burst of queries should queue in the kernel rather than be dropped; the OS may cap this. */
function raiseReceiveBuffer(udp: UdpSocket): void {
  try {
    udp.setRecvBufferSize(4 * 1024 * 1024);
  } catch {
    // unprivileged limits are fine: the default buffer still works, just holds fewer packets
  }
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '';
}
