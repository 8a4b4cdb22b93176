import { join } from 'node:path';

/**
 * The seed chapter's two manifests, byte for byte as the tutorial ships them (../shared/seed), kept in
 * the repository so a clone tests on its own.
 */
export const seedDir = join(import.meta.dirname, '..', 'fixtures', 'seed');
