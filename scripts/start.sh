#!/usr/bin/env bash
# `npm start`: install, build, then run the demo in the foreground:
#   - s3notify server on ./data (http://127.0.0.1:9000 by default),
#   - webhook target `1` (arn:minio:sqs::1:webhook) pointing at the thumbnailer example,
#   - bucket `images` with the rule s3:ObjectCreated:* suffix .jpg; thumbnails go to `images-thumbnails`.
# Ctrl-C (or SIGTERM) stops both processes gracefully.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v pnpm >/dev/null 2>&1 || [[ "$(pnpm --version 2>/dev/null)" != 10.* ]]; then
  # Not corepack: its signature check fails against some registries.
  npm i -g --no-audit --no-fund pnpm@10
fi
pnpm install --frozen-lockfile || pnpm install
pnpm -s build

PORT="${S3NOTIFY_PORT:-9000}"
THUMBNAILER_PORT="${THUMBNAILER_PORT:-9100}"
# Absolute, because MinIO's rule (kept here) refuses a relative queue_dir.
DATA_DIR="$(mkdir -p "${S3NOTIFY_DATA_DIR:-./data}" && cd "${S3NOTIFY_DATA_DIR:-./data}" && pwd)"
ACCESS_KEY="${MINIO_ROOT_USER:-minioadmin}"
SECRET_KEY="${MINIO_ROOT_PASSWORD:-minioadmin}"
ENDPOINT="http://127.0.0.1:${PORT}"
S3NOTIFY=(node packages/server/dist/cli/main.js)

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap 'stop; exit 0' INT TERM
trap stop EXIT

# The consumer: receives the webhook events and writes thumbnails back through the S3 API.
THUMBNAILER_PORT="$THUMBNAILER_PORT" S3_ENDPOINT="$ENDPOINT" S3_ACCESS_KEY="$ACCESS_KEY" S3_SECRET_KEY="$SECRET_KEY" \
  node examples/thumbnailer/dist/main.js &
pids+=($!)

# The server, with its webhook target from MinIO's environment variables (queued on disk under the data dir).
mkdir -p "$DATA_DIR"
MINIO_NOTIFY_WEBHOOK_ENABLE_1="${MINIO_NOTIFY_WEBHOOK_ENABLE_1:-on}" \
MINIO_NOTIFY_WEBHOOK_ENDPOINT_1="${MINIO_NOTIFY_WEBHOOK_ENDPOINT_1:-http://127.0.0.1:${THUMBNAILER_PORT}/events}" \
MINIO_NOTIFY_WEBHOOK_QUEUE_DIR_1="${MINIO_NOTIFY_WEBHOOK_QUEUE_DIR_1:-${DATA_DIR}/.s3notify/events}" \
S3NOTIFY_LOG_LEVEL="${S3NOTIFY_LOG_LEVEL:-warn}" \
  "${S3NOTIFY[@]}" server "$DATA_DIR" --address ":${PORT}" &
server_pid=$!
pids+=("$server_pid")

deadline=$((SECONDS + 30))
until curl -sf "${ENDPOINT}/minio/health/ready" >/dev/null 2>&1; do
  if ! kill -0 "$server_pid" 2>/dev/null; then echo "start.sh: the server exited during start-up" >&2; exit 1; fi
  if ((SECONDS > deadline)); then echo "start.sh: the server was not ready within 30 s" >&2; exit 1; fi
  sleep 0.2
done

# Demo set-up with the s3notify CLI (idempotent: safe on every start).
export S3NOTIFY_CONFIG_DIR="${S3NOTIFY_CONFIG_DIR:-$HOME/.s3notify}"
"${S3NOTIFY[@]}" alias set demo "$ENDPOINT" "$ACCESS_KEY" "$SECRET_KEY" >/dev/null
"${S3NOTIFY[@]}" mb demo/images --ignore-existing >/dev/null
"${S3NOTIFY[@]}" mb demo/images-thumbnails --ignore-existing >/dev/null
"${S3NOTIFY[@]}" event add demo/images arn:minio:sqs::1:webhook --event put --suffix .jpg --ignore-existing >/dev/null

cat <<MESSAGE

Demo ready: every .jpg uploaded to bucket 'images' gets a thumbnail in 'images-thumbnails'.
  Rules:   $("${S3NOTIFY[@]}" event list demo/images)
  Upload:  node packages/server/dist/cli/main.js cp examples/thumbnailer/sample/myphoto.jpg demo/images/
  Watch:   node packages/server/dist/cli/main.js event listen demo/images --event put
  Stop:    Ctrl-C

MESSAGE
wait "$server_pid"
