#!/usr/bin/env bash
# sam local invoke FUNCTION with an event file and lambda_assets/env.json.
# Usage: scripts/sam-invoke.sh FUNCTION EVENT.json [extra sam args]
# Start the local services first (`npx larder services`) on the ports env.json names; SAM's containers
# reach them as host.docker.internal. Docker-free alternative: npx larder invoke FUNCTION -e EVENT.json
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 FUNCTION EVENT.json   (e.g. $0 DataLoaderTestFunction test_events/data_loader.json)" >&2
  exit 2
fi
source "$(dirname "$0")/sam-check.sh"
need_sam
need_docker
fn="$1"; event="$2"; shift 2
[ -f "$event" ] || { echo "event file $event not found" >&2; exit 2; }
exec sam local invoke "$fn" --template-file "$TEMPLATE" --event "$event" --env-vars "$ENV_VARS" --add-host host.docker.internal:host-gateway "$@"
