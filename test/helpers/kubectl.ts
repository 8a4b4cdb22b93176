import { spawn } from 'node:child_process';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface KubectlTarget {
  kubeconfig: string;
  cacheDir: string;
}

/** Runs the real kubectl against a test cluster; never inherits the user's kubeconfig or cache. */
export function kubectl(target: KubectlTarget, args: string[], opts: { stdin?: string; timeoutMs?: number; env?: Record<string, string> } = {}): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('kubectl', [`--kubeconfig=${target.kubeconfig}`, `--cache-dir=${target.cacheDir}`, ...args], {
      env: { ...process.env, KUBECONFIG: target.kubeconfig, KUBECACHEDIR: target.cacheDir, HOME: target.cacheDir, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(opts.stdin ?? '');
  });
}

/** kubectl that must succeed; returns stdout. */
export async function kubectlOk(target: KubectlTarget, args: string[], opts: { stdin?: string; env?: Record<string, string> } = {}): Promise<string> {
  const r = await kubectl(target, args, opts);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr || r.stdout}`);
  return r.stdout;
}

/** Splits `kubectl get` table output into rows of cells (columns are separated by 3+ spaces). */
export function tableRows(out: string): string[][] {
  return out.trim().split('\n').filter(Boolean).map((l) => l.trim().split(/\s{2,}/));
}

/** Starts a long-running kubectl (e.g. `get -w`) and collects its output until stopped. */
export function kubectlBackground(target: KubectlTarget, args: string[]): { output(): string; stop(): Promise<void> } {
  const child = spawn('kubectl', [`--kubeconfig=${target.kubeconfig}`, `--cache-dir=${target.cacheDir}`, ...args], {
    env: { ...process.env, KUBECONFIG: target.kubeconfig, KUBECACHEDIR: target.cacheDir, HOME: target.cacheDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  return {
    output: () => out,
    async stop() {
      child.kill('SIGTERM');
      await closed;
    },
  };
}

/** Polls until check() returns a value (not undefined), failing after timeoutMs. For real-socket tests only. */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v as T;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Names of the pods labelled app=APP, sorted. */
export async function podNames(k: KubectlTarget, app: string): Promise<string[]> {
  const out = await kubectlOk(k, ['get', 'pods', '-l', `app=${app}`, '-o', 'jsonpath={.items[*].metadata.name}']);
  return out.split(' ').filter(Boolean).sort();
}

/** A StatefulSet's status.readyReplicas; the API omits it when 0, as it omits empty integers. */
export async function readyReplicas(k: KubectlTarget, name: string): Promise<number> {
  return Number((await kubectlOk(k, ['get', 'sts', name, '-o', 'jsonpath={.status.readyReplicas}'])) || '0');
}
