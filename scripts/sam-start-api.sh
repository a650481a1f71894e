#!/usr/bin/env bash
# sam local start-api on port 3000 against the local services (needs Docker; SAM CLI >= 1.115 for
# --add-host under start-api). The artifact function's async ingest call goes to
# http://host.docker.internal:3001: run `sam local start-lambda --host 0.0.0.0` (or scripts/sam-start-lambda.sh) beside it.
# Docker-free alternative with warm sandboxes: npx larder start-api (or npm start for everything).
set -euo pipefail
source "$(dirname "$0")/sam-check.sh"
need_sam
need_docker
need_built
ENV_VARS="$(sam_env_vars)"
cd "$PROJECT_ROOT"
exec sam local start-api --template "$BUILT_TEMPLATE" --env-vars "$ENV_VARS" --port "${PORT:-3000}" --add-host host.docker.internal:host-gateway "$@"
