/**
 * Helpers for the runtime tests: pods shaped as the kubelet hands them over, handles, a quiet runtime
 * in a temporary directory, and HTTP GETs over real sockets.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { pino } from 'pino';
import { realClock } from '../meta/clock.js';
import type { ContainerHandle } from '../nodes/runtime.js';
import { createSimulatedRuntime, type SimulatedRuntime, type SimulatedRuntimeOptions } from './simulated-runtime.js';

/** A /24 inside 127.0.0.0/8 nobody else is likely to use at the same time. */
export function testSubnet(): string {
  const b = randomBytes(2);
  return `127.${100 + (b[0] % 100)}.${b[1]}`;
}

export function testPod(name: string, containers: Container[], extra: Partial<Pod['spec']> = {}, namespace = 'default'): Pod {
  return {
    metadata: { name, namespace, uid: `uid-${name}-${randomBytes(3).toString('hex')}`, labels: { app: name.replace(/-\d+$/, '') } },
    spec: { containers, ...extra },
    status: { phase: 'Running' },
  };
}

export function handleFor(pod: Pod, container: string, podIP: string, volumePaths: Record<string, string> = {}): ContainerHandle {
  const c = pod.spec!.containers.find((x) => x.name === container)!;
  return { nodeName: 'kubemock-worker', pod, container: c, containerID: `containerd://${randomBytes(32).toString('hex')}`, podIP, volumePaths };
}

export interface TestRuntime extends SimulatedRuntime {
  dataDir: string;
  cleanup(): Promise<void>;
}

export function testRuntime(opts: Partial<SimulatedRuntimeOptions> = {}): TestRuntime {
  const dataDir = mkdtempSync(join(tmpdir(), 'kubemock-runtime-'));
  const rt = createSimulatedRuntime({ dataDir, dnsServer: { host: '127.0.0.1', port: 9 }, logger: pino({ level: 'silent' }), clock: realClock, ...opts });
  return {
    ...rt,
    dataDir,
    async cleanup() {
      await rt.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function httpGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}
