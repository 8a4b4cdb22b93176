/** The runtime schema layer: generated OpenAPI component schemas, unknown-field pruning, duplicate detection, patch metadata. */
export { servedSchemas, SchemaIndex, type GroupVersionKind, type SchemaObject } from './schemas.js';
export { decodeFields, schemaBodyDecoder, fieldPath } from './decode.js';
export { findDuplicateFields } from './duplicates.js';
export { patchMetaFor, type PatchMeta, type PatchStrategy, type ValueKind } from './patchmeta.js';
export { openapiDir, readOpenapiFile } from './openapi-files.js';
