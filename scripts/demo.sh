#!/usr/bin/env bash
# The main job: build the extension, start VS Code (code-server on loopback) with Boot Memory Lens
# installed and the bundled sample boot log open with its memory map shown, and print the address
# to open in a browser. Ctrl-C stops the server.
#
#   npm run demo              # port 8080 (DEMO_PORT=… to change), sample log
#   npm run demo -- my.log    # any boot log instead
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PORT="${DEMO_PORT:-8080}"
LOG="${1:-$ROOT/test/fixtures/sample/x86_64-2node-2g-memblock-debug.log}"
[ -f "$LOG" ] || { echo "demo: $LOG: no such file" >&2; exit 2; }

[ -d node_modules ] || npm ci --no-audit --no-fund
scripts/vscode-test/install.sh >/dev/null
node scripts/build.mjs

STATE="$ROOT/.vscode-test/demo"
rm -rf "$STATE"
mkdir -p "$STATE/workspace/.vscode" "$STATE/user-data/User" "$STATE/extensions" "$STATE/config"
# The extension as a user installs it: the package folder under --extensions-dir.
EXT="$STATE/extensions/bootmem-lens.bootmem-lens-$(node -p 'require("./package.json").version')"
mkdir -p "$EXT"
cp -r package.json README.md dist media syntaxes language-configuration.json "$EXT"/ 2>/dev/null || true
# The user's log is only read; the demo works on a copy named like a dmesg capture.
cp "$LOG" "$STATE/workspace/dmesg.txt"
cat > "$STATE/workspace/.vscode/settings.json" <<JSON
{ "bootMemoryLens.openMapOnOpen": true }
JSON
cat > "$STATE/user-data/User/settings.json" <<JSON
{ "workbench.startupEditor": "none", "telemetry.telemetryLevel": "off", "workbench.tips.enabled": false }
JSON

FILE_URI="vscode-remote://127.0.0.1:$PORT$STATE/workspace/dmesg.txt"
PAYLOAD=$(node -e 'console.log(encodeURIComponent(JSON.stringify([["openFile", process.argv[1]]])))' "$FILE_URI")
FOLDER=$(node -e 'console.log(encodeURIComponent(process.argv[1]))' "$STATE/workspace")
echo
echo "Boot Memory Lens is starting in VS Code (code-server) on loopback. Open:"
echo
echo "  http://127.0.0.1:$PORT/?folder=$FOLDER&payload=$PAYLOAD"
echo
echo "The sample log opens with its memory map beside it. Ctrl-C stops the server."
XDG_CONFIG_HOME="$STATE/config" exec "$ROOT/.vscode-test/code-server/node_modules/.bin/code-server" \
  --auth none --bind-addr "127.0.0.1:$PORT" --user-data-dir "$STATE/user-data" --extensions-dir "$STATE/extensions" \
  --disable-telemetry --disable-update-check --disable-workspace-trust --ignore-last-opened "$STATE/workspace"
