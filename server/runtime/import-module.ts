/**
 * import() of a module named at run time (a user's behaviour file, tsx's loader). The CLI bundle runs
 * through vm.Script with V8's code cache (bin/kubemock.js), where Node 20 refuses import(); the loader
 * then lends its own import() under this symbol.
 */
const lentImport = Symbol.for('kubemock.import');

export function importModule<T>(specifier: string): Promise<T> {
  const lent = (globalThis as Record<symbol, unknown>)[lentImport] as ((s: string) => Promise<unknown>) | undefined;
  return (lent ? lent(specifier) : import(specifier)) as Promise<T>;
}
