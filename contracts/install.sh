#!/usr/bin/env bash
# Installs the pinned solc (solcjs) and anvil (package-lock.json) into contracts/node_modules if
# they are absent or at another version. Prints nothing; the tools are then at
# contracts/node_modules/solc and contracts/node_modules/.bin/anvil.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
exec 9>"$here/.install.lock"
flock 9
installed() {
    (cd "$here" && node -e '
        const want = require("./package.json").dependencies;
        for (const [name, version] of Object.entries(want)) {
            let have = "";
            try { have = require(`./node_modules/${name}/package.json`).version; } catch (e) {}
            if (have !== version) process.exit(1);
        }')
}
if ! installed; then
    (cd "$here" && npm ci --no-audit --no-fund) 1>&2
fi
