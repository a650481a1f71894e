# Sourced by the sam-*.sh scripts: says exactly what is missing before SAM is called.
need_sam() {
  if ! command -v sam >/dev/null 2>&1; then
    echo "sam (the AWS SAM CLI) is not installed: https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/install-sam-cli.html" >&2
    echo "Without Docker or SAM, use the built-in emulator instead: npx larder invoke | start-api | start-lambda (docs/emulator.md)" >&2
    exit 127
  fi
}
need_docker() {
  if ! command -v docker >/dev/null 2>&1; then
    echo "docker is not installed; sam local and sam build --use-container need it." >&2
    echo "Without Docker, use: npx larder invoke | start-api | start-lambda (docs/emulator.md)" >&2
    exit 127
  fi
  if ! docker info >/dev/null 2>&1; then
    echo "docker is installed but its daemon is not reachable (is it running? may this user use it?)." >&2
    exit 127
  fi
}
PROJECT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TEMPLATE="$PROJECT_ROOT/lambda_assets/template.yaml"
# The --env-vars file for sam local: written for the ports of a running `larder services`
# (.larder/sam-env.docker.json, hosts as host.docker.internal), else lambda_assets/env.json (fixed ports).
sam_env_vars() {
  (cd "$PROJECT_ROOT" && node --import tsx scripts/sam-env.ts "$@")
}
# sam local runs what sam build produced (BuildMethod makefile: the source tree has no handler files).
BUILT_TEMPLATE="$PROJECT_ROOT/.aws-sam/build/template.yaml"
need_built() {
  if [ ! -f "$BUILT_TEMPLATE" ]; then
    echo "no SAM build at $BUILT_TEMPLATE: run scripts/sam-build.sh first (sam local runs the built packages)" >&2
    exit 2
  fi
}
