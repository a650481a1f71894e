#!/usr/bin/env bash
# sam local invoke FUNCTION with an event file, against the local services.
# Usage: scripts/sam-invoke.sh FUNCTION EVENT.json [extra sam args]
# Start the local services first, reachable from containers: `npx larder services --host 0.0.0.0`.
# The --env-vars file comes from scripts/sam-env.ts: the running services' ports as host.docker.internal
# (or lambda_assets/env.json's fixed ports). Run scripts/sam-build.sh first: SAM invokes .aws-sam/build.
# Docker-free alternative: npx larder invoke FUNCTION -e EVENT.json
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 FUNCTION EVENT.json   (e.g. $0 DataLoaderTestFunction test_events/data_loader.json)" >&2
  exit 2
fi
source "$(dirname "$0")/sam-check.sh"
need_sam
need_docker
need_built
fn="$1"; event="$2"; shift 2
[ -f "$event" ] || { echo "event file $event not found" >&2; exit 2; }
event="$(cd "$(dirname "$event")" && pwd)/$(basename "$event")"
ENV_VARS="$(sam_env_vars)"
cd "$PROJECT_ROOT"
exec sam local invoke "$fn" --template "$BUILT_TEMPLATE" --event "$event" --env-vars "$ENV_VARS" --add-host host.docker.internal:host-gateway "$@"
