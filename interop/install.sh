#!/usr/bin/env bash
# Installs the pinned snarkjs (package-lock.json) into interop/node_modules if absent.
# Prints the path of the snarkjs executable.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
exec 9>"$here/.install.lock"
flock 9
want="$(node -p "require('$here/package.json').dependencies.snarkjs")"
have="$(cd "$here" && node -p "try { require('./node_modules/snarkjs/package.json').version } catch (e) { '' }")"
if [ "$want" != "$have" ]; then
    (cd "$here" && npm ci --no-audit --no-fund) 1>&2
fi
echo "$here/node_modules/.bin/snarkjs"
