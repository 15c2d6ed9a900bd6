#!/usr/bin/env bash
# Runs every benchmark in bench/ one after the other; each prints its own side-by-side table with ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v pnpm >/dev/null || npm i -g pnpm@10 >/dev/null
pnpm install --frozen-lockfile >/dev/null
pnpm -s build
for file in bench/*.bench.ts; do
  [ -e "$file" ] || continue
  [ -n "${BENCH:-}" ] && [[ "$file" != *"$BENCH"* ]] && continue
  echo "== $file"
  npx tsx "$file"
done
