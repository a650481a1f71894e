#!/usr/bin/env bash
# sam local start-lambda on port 3001 (the Lambda Invoke API; the artifact function's async ingest call
# reaches it as host.docker.internal:3001, hence --host 0.0.0.0). Needs Docker.
# Docker-free alternative: npx larder start-lambda
set -euo pipefail
source "$(dirname "$0")/sam-check.sh"
need_sam
need_docker
need_built
ENV_VARS="$(sam_env_vars --lambda-port "${PORT:-3001}")"
cd "$PROJECT_ROOT"
exec sam local start-lambda --template "$BUILT_TEMPLATE" --env-vars "$ENV_VARS" --host 0.0.0.0 --port "${PORT:-3001}" --add-host host.docker.internal:host-gateway "$@"
