import { Command, InvalidArgumentError, Option } from 'commander';
import { parseKubernetesMinor } from '../api/version.js';
import { startKubemock, type KubemockOptions } from './cluster.js';
import { writeKubeconfig } from './kubeconfig.js';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number from 0 to 65535');
  return n;
}

function minor(value: string): number {
  try {
    return parseKubernetesMinor(value);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}

function featureGates(value: string, previous: Record<string, boolean> = {}): Record<string, boolean> {
  const out = { ...previous };
  for (const kv of value.split(',').filter(Boolean)) {
    const [k, v] = kv.split('=');
    if (!k || (v !== 'true' && v !== 'false')) throw new InvalidArgumentError(`expected Name=true|false, got "${kv}"`);
    out[k] = v === 'true';
  }
  return out;
}

interface ServeFlags {
  host: string;
  port: number;
  writeKubeconfig?: string;
  logLevel: string;
  kubernetesVersion: number;
  deprecatedApis: boolean;
  featureGates: Record<string, boolean>;
  serviceCidr: string;
}

async function serve(flags: ServeFlags): Promise<void> {
  const options: Partial<KubemockOptions> = {
    host: flags.host,
    port: flags.port,
    logLevel: flags.logLevel,
    kubernetesMinor: flags.kubernetesVersion,
    cluster: { deprecatedApis: flags.deprecatedApis, featureGates: flags.featureGates, serviceCidr: flags.serviceCidr },
  };
  const km = await startKubemock(options);
  if (flags.writeKubeconfig) await writeKubeconfig(flags.writeKubeconfig, { server: km.urls.api });
  const listeners = Object.entries(km.urls).map(([k, v]) => `${k}=${v}`).join(' ');
  process.stdout.write(`kubemock ready: ${listeners}\n`);
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    km.logger.info({ signal }, 'shutting down');
    km.stop().then(() => process.exit(0), (err: unknown) => {
      km.logger.error({ err }, 'shutdown failed');
      process.exit(1);
    });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

export function buildCli(): Command {
  const program = new Command('kubemock').description('A Kubernetes-shaped mock API server').showHelpAfterError();
  program
    .command('serve', { isDefault: true })
    .description('start kubemock (in-memory store, API on 127.0.0.1:8080 by default)')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'API port (0 = a free port)', port, 8080)
    .option('--write-kubeconfig <file>', 'write a kubeconfig whose current context points at this server')
    .addOption(new Option('--log-level <level>', 'log level').choices(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'))
    .option('--kubernetes-version <version>', 'Kubernetes version to report, 1.27 to 1.33', minor, 32)
    .option('--no-deprecated-apis', 'do not serve StatefulSets as apps/v1beta1 and apps/v1beta2')
    .option('--feature-gates <gates>', 'feature gates, e.g. MaxUnavailableStatefulSet=true', featureGates, {})
    .option('--service-cidr <cidr>', 'range ClusterIPs are allocated from', '127.96.0.0/16')
    .action((flags: ServeFlags) => serve(flags));
  return program;
}

export async function main(argv: string[]): Promise<void> {
  await buildCli().parseAsync(argv);
}
