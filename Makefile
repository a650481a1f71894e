# `sam build` (lambda_assets/template.yaml: Metadata BuildMethod: makefile, CodeUri ../) runs
# `make build-<LogicalId>` in a copy of this directory with ARTIFACTS_DIR set, on the host or — with
# `sam build --use-container` — in SAM's nodejs22.x build image. Each target runs scripts/build.ts, the
# same step as `npm run build`: esbuild with the template's BuildProperties, plus ml_config.yaml, the
# `lambda_source: package` tables from data_cache/ and the external packages (nodejs-polars with its
# native binary for Lambda: linux x64 glibc). By hand: make build-QueryFunction ARTIFACTS_DIR=/tmp/q
#
# node_modules comes along with the copied source; when it lacks Lambda's native nodejs-polars (a
# macOS or arm64 host's node_modules, or none), `npm ci` installs the build machine's — Linux x64 in
# the build container. npm's cache goes to /tmp: the build container may run as a user without a home.

LAMBDA_NATIVE_PACKAGE ?= nodejs-polars-linux-x64-gnu
npm_config_cache ?= /tmp/larder-npm-cache
export npm_config_cache

BUILD_FUNCTION = node --import tsx scripts/build.ts $(if $(REQUIRE_PACKAGE_TABLES),--require-package-tables) --artifacts-dir "$(ARTIFACTS_DIR)" --function

.PHONY: node-dependencies build-QueryFunction build-ArtifactFunction build-IngestWorkerFunction build-IngestSweepFunction build-DataLoaderTestFunction

build-QueryFunction: node-dependencies
	$(BUILD_FUNCTION) QueryFunction

build-ArtifactFunction: node-dependencies
	$(BUILD_FUNCTION) ArtifactFunction

build-IngestWorkerFunction: node-dependencies
	$(BUILD_FUNCTION) IngestWorkerFunction

build-IngestSweepFunction: node-dependencies
	$(BUILD_FUNCTION) IngestSweepFunction

build-DataLoaderTestFunction: node-dependencies
	$(BUILD_FUNCTION) DataLoaderTestFunction

node-dependencies:
	@test -n "$(ARTIFACTS_DIR)" || { echo "ARTIFACTS_DIR is not set (sam build sets it; by hand: make build-QueryFunction ARTIFACTS_DIR=/tmp/out)" >&2; exit 2; }
	@if [ -f node_modules/$(LAMBDA_NATIVE_PACKAGE)/package.json ] && [ -f node_modules/tsx/package.json ] && [ -f node_modules/esbuild/package.json ]; then \
	  echo "node_modules has $(LAMBDA_NATIVE_PACKAGE): using it"; \
	else \
	  echo "node_modules lacks $(LAMBDA_NATIVE_PACKAGE) (or tsx/esbuild): npm ci"; \
	  npm ci --no-audit --no-fund; \
	fi
