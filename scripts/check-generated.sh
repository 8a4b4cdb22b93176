#!/usr/bin/env bash
# Fails when a committed generated file is stale: each generator regenerates in memory or in a scratch
# directory and compares with the work tree (CI runs this; `npm run generate` rewrites them).
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
node --import tsx scripts/generate-openapi.ts --check || status=1
node --import tsx scripts/generate-proto.ts --check || status=1
node --import tsx scripts/generate-sdk.ts --check || status=1
exit $status
