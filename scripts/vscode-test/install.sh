#!/usr/bin/env bash
# Installs what the real-VS Code tests (npm run test:vscode, npm run test:e2e) need on a fresh
# Debian 12 machine, as root, with only the Debian mirrors and the npm registry reachable.
# Idempotent: every step checks whether it is already done and skips it.
#
#   scripts/vscode-test/install.sh            # everything
#   SKIP_APT=1 scripts/vscode-test/install.sh # no apt (packages provided another way)
#
# What it installs (recipe: /work/shared/docs/testing-in-real-vscode.md):
#   1. apt: chromium (driven by playwright-core), ripgrep (seeds @vscode/ripgrep's download cache),
#      libkrb5-dev + pkg-config + build tools (code-server's native modules: kerberos, node-pty).
#   2. the project's own dev dependencies (npm ci) when node_modules is missing.
#   3. code-server@4.100.3 (= VS Code 1.100.3; needs Node 20) into .vscode-test/code-server, a cache
#      folder with its own package.json - NOT a dependency of the project (it is ~400 MB).
set -euo pipefail

CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.100.3}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE="$ROOT/.vscode-test/code-server"
T0=$SECONDS

log() { printf '[vscode-test/install] %s\n' "$*"; }
elapsed() { printf '%ss' "$((SECONDS - T0))"; }

# --- 0. Node -------------------------------------------------------------------------------------
command -v node >/dev/null || { log "node is required (Node 20 for code-server $CODE_SERVER_VERSION)"; exit 1; }
NODE_MAJOR="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$NODE_MAJOR" != "20" ]; then
  log "warning: Node $NODE_MAJOR found; code-server $CODE_SERVER_VERSION's postinstall wants Node 20"
fi

# --- 1. apt packages -----------------------------------------------------------------------------
source "$ROOT/scripts/lib/apt.sh"
ensure_apt_packages chromium ripgrep libkrb5-dev pkg-config python3 make g++ ca-certificates
command -v chromium >/dev/null || [ -x /usr/bin/chromium ] || { log "chromium not found"; exit 1; }

# --- 2. project dev dependencies -----------------------------------------------------------------
if [ -d "$ROOT/node_modules/playwright-core" ] && [ -d "$ROOT/node_modules/@vscode/test-electron" ] \
   && [ -d "$ROOT/node_modules/mocha" ]; then
  log "npm: project dev dependencies present"
else
  log "npm: installing project dev dependencies (npm ci)"
  (cd "$ROOT" && npm ci --no-audit --no-fund)
fi

# --- 3. code-server into the cache folder --------------------------------------------------------
CS_PKG="$CACHE/node_modules/code-server/package.json"
if [ -f "$CS_PKG" ] && [ "$(node -p "require('$CS_PKG').version")" = "$CODE_SERVER_VERSION" ] \
   && [ -f "$CACHE/node_modules/code-server/lib/vscode/out/server-main.js" ] \
   && [ -f "$CACHE/.install-ok" ]; then
  log "code-server $CODE_SERVER_VERSION: present in ${CACHE#"$ROOT"/}"
else
  log "code-server $CODE_SERVER_VERSION: installing into ${CACHE#"$ROOT"/} (takes 2-4 minutes)"
  mkdir -p "$CACHE"
  rm -f "$CACHE/.install-ok"
  # Its own package.json makes this folder npm's prefix, so the project's node_modules is untouched.
  [ -f "$CACHE/package.json" ] || cat >"$CACHE/package.json" <<'JSON'
{
  "name": "bootmem-lens-vscode-test-cache",
  "private": true,
  "description": "Cache folder for code-server (VS Code server + web workbench) used by the real-VS Code tests. Created by scripts/vscode-test/install.sh."
}
JSON
  # @vscode/ripgrep 1.15.11's postinstall downloads from api.github.com; seed its cache with Debian's rg.
  RG_CACHE="$(node -p 'require("os").tmpdir()')/vscode-ripgrep-cache-1.15.11"
  RG_TAR="$RG_CACHE/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
  if [ ! -s "$RG_TAR" ]; then
    mkdir -p "$RG_CACHE"
    tar czf "$RG_TAR" -C "$(dirname "$(command -v rg)")" rg
    log "ripgrep cache seeded: $RG_TAR"
  fi
  # As root, code-server's postinstall needs unsafe_perm; node-pty's postinstall runs `npx node-gyp`,
  # which stops at a prompt unless yes=true.
  (cd "$CACHE" && npm_config_unsafe_perm=true npm_config_yes=true \
     npm install --no-audit --no-fund "code-server@$CODE_SERVER_VERSION")
  [ -f "$CACHE/node_modules/code-server/lib/vscode/out/server-main.js" ] \
    || { log "code-server install looks incomplete"; exit 1; }
  touch "$CACHE/.install-ok"
fi

# code-server writes $XDG_CONFIG_HOME/code-server/config.yaml on any start: keep it out of ~/.config.
CS_CFG="$(mktemp -d)"
XDG_CONFIG_HOME="$CS_CFG" "$CACHE/node_modules/.bin/code-server" --version | grep -v 'config file' | head -1 \
  | sed 's/^/[vscode-test\/install] code-server /'
rm -rf "$CS_CFG"
log "done in $(elapsed)"
