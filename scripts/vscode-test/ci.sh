#!/usr/bin/env bash
# One entry point for a fresh Debian machine (as root): install what the real-VS Code tests need,
# then run the in-host suite and the UI end-to-end test. Exit code: non-zero if any part failed.
#   scripts/vscode-test/ci.sh            # install + test:vscode + test:e2e
#   SKIP_E2E=1 scripts/vscode-test/ci.sh # install + test:vscode only
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
status=0
t() { local s=$SECONDS; "$@"; local rc=$?; echo "[vscode-test/ci] '$*' -> exit $rc in $((SECONDS - s))s"; return $rc; }
t scripts/vscode-test/install.sh || exit 1
t npm run --silent test:vscode || status=1
if [ -z "${SKIP_E2E:-}" ]; then t npm run --silent test:e2e || status=1; fi
echo "[vscode-test/ci] $([ $status = 0 ] && echo PASSED || echo FAILED)"
exit $status
