#!/usr/bin/env bash
# sam build in a Lambda-like container, so nodejs-polars' native binary matches Lambda's Linux.
# Usage: scripts/sam-build.sh [extra sam build args]
set -euo pipefail
source "$(dirname "$0")/sam-check.sh"
need_sam
need_docker
cd "$(dirname "$0")/.."
exec sam build --use-container --template-file "$TEMPLATE" "$@"
