#!/usr/bin/env bash
# Build in a container and deploy with a guided first run (writes samconfig.toml for later runs).
# Needs AWS credentials for the target account, sam and docker.
set -euo pipefail
source "$(dirname "$0")/sam-check.sh"
need_sam
need_docker
if ! command -v aws >/dev/null 2>&1 || ! aws sts get-caller-identity >/dev/null 2>&1; then
  echo "no usable AWS credentials (aws sts get-caller-identity failed); configure a profile or export AWS_PROFILE" >&2
  exit 1
fi
cd "$(dirname "$0")/.."
sam build --use-container --template-file "$TEMPLATE"
if [ -f samconfig.toml ]; then exec sam deploy "$@"; else exec sam deploy --guided "$@"; fi
