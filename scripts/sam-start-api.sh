#!/usr/bin/env bash
# sam local start-api on port 3000 with lambda_assets/env.json (needs Docker).
# Docker-free alternative with warm sandboxes: npx larder start-api (or npm start for everything).
set -euo pipefail
source "$(dirname "$0")/sam-check.sh"
need_sam
need_docker
exec sam local start-api --template-file "$TEMPLATE" --env-vars "$ENV_VARS" --port "${PORT:-3000}" --add-host host.docker.internal:host-gateway "$@"
