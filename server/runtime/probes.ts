/**
 * Probes as the kubelet runs them, against the simulated container: httpGet (2xx/3xx within
 * timeoutSeconds), tcpSocket (the connection opens), exec (exit code 0 from the behaviour's exec hook
 * or else the simulated shell), grpc (the port accepts connections).
 */
import { request } from 'node:http';
import type { Probe } from 'kubernetes-types/core/v1.js';
import type { DeepReadonly } from '../meta/types.js';
import type { ProbeKind } from '../nodes/runtime.js';
import type { PodNetwork } from './pod-network.js';
import { discardWritable, nullOut, emptyIn } from './shell/io.js';
import type { Shell } from './shell/shell.js';
import type { Instance } from './simulated-runtime.js';

function probeOf(inst: Instance, kind: ProbeKind): DeepReadonly<Probe> | undefined {
  const c = inst.handle.container;
  return kind === 'readiness' ? c.readinessProbe : kind === 'liveness' ? c.livenessProbe : c.startupProbe;
}

/** A probe port: a number, or the name of one of the container's ports. */
function portOf(inst: Instance, port: number | string | undefined): number | undefined {
  if (typeof port === 'number') return port;
  if (port === undefined) return undefined;
  if (/^\d+$/.test(port)) return Number(port);
  return inst.handle.container.ports?.find((p) => p.name === port)?.containerPort;
}

function withTimeout<T>(p: Promise<T>, ms: number, onTimeout: T): Promise<T> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(onTimeout), ms);
    timer.unref();
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      () => {
        clearTimeout(timer);
        resolve(onTimeout);
      },
    );
  });
}

export async function runProbe(inst: Instance, kind: ProbeKind, network: PodNetwork, shell: (signal: AbortSignal) => Shell): Promise<boolean> {
  const probe = probeOf(inst, kind);
  if (!probe) return true;
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  const podIP = inst.handle.podIP;
  if (probe.exec) {
    const abort = new AbortController();
    const argv = [...(probe.exec.command ?? [])];
    const run = (async () => {
      // the behaviour's own commands first, as `kubectl exec` runs them
      const hooked = await inst.behaviour.exec?.(inst.ctx, argv, { stdout: discardWritable(), stderr: discardWritable(), tty: false });
      if (hooked !== undefined) return hooked === 0;
      const sh = shell(abort.signal);
      if (!sh.has(argv[0] ?? '')) return false;
      return (await sh.runArgv(argv, { stdin: emptyIn, stdout: nullOut, stderr: nullOut })) === 0;
    })();
    const ok = await withTimeout(run, timeoutMs, false);
    abort.abort();
    return ok;
  }
  if (probe.tcpSocket || probe.grpc) {
    const port = probe.tcpSocket ? portOf(inst, probe.tcpSocket.port) : probe.grpc!.port;
    if (port === undefined) return false;
    const host = probe.tcpSocket?.host ?? podIP;
    return withTimeout(
      network.dial(host, port, timeoutMs).then((s) => {
        s.destroy();
        return true;
      }),
      timeoutMs,
      false,
    );
  }
  if (probe.httpGet) {
    const g = probe.httpGet;
    const port = portOf(inst, g.port);
    if (port === undefined) return false;
    const host = g.host ?? podIP;
    const headers: Record<string, string> = { 'User-Agent': 'kube-probe/1.32', Accept: '*/*' };
    for (const h of g.httpHeaders ?? []) headers[h.name] = h.value;
    const attempt = network.dial(host, port, timeoutMs).then(
      (socket) =>
        new Promise<boolean>((resolve) => {
          const req = request({ createConnection: () => socket, method: 'GET', path: g.path ?? '/', headers: { Host: `${host}:${port}`, ...headers } }, (res) => {
            res.resume();
            const code = res.statusCode ?? 0;
            res.on('end', () => {
              socket.destroy();
              resolve(code >= 200 && code < 400);
            });
          });
          req.on('error', () => resolve(false));
          req.end();
        }),
    );
    return withTimeout(attempt, timeoutMs, false);
  }
  return true;
}
