/** The Kubernetes release kubemock reports; kubectl's dispatcher picks its binary by the minor. */
const patchReleases: Record<number, string> = { 27: '16', 28: '15', 29: '15', 30: '14', 31: '13', 32: '9', 33: '5' };

export const supportedMinors = Object.keys(patchReleases).map(Number);

export interface VersionInfo {
  major: string;
  minor: string;
  gitVersion: string;
  gitCommit: string;
  gitTreeState: string;
  buildDate: string;
  goVersion: string;
  compiler: string;
  platform: string;
}

export function versionInfo(minor: number): VersionInfo {
  const patch = patchReleases[minor];
  if (patch === undefined) throw new Error(`unsupported Kubernetes version 1.${minor}: choose a minor from ${supportedMinors.join(', ')}`);
  return {
    major: '1',
    minor: String(minor),
    gitVersion: `v1.${minor}.${patch}`,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: 'go1.23.8',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

/** Accepts "1.32", "v1.32.3" or "32". */
export function parseKubernetesMinor(text: string): number {
  const m = text.trim().match(/^v?(?:1\.)?(\d+)(?:\.\d+)?$/);
  if (!m) throw new Error(`invalid Kubernetes version "${text}": expected e.g. 1.32`);
  const minor = Number(m[1]);
  versionInfo(minor);
  return minor;
}
