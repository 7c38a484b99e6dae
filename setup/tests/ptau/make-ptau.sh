#!/usr/bin/env bash
# Makes a small Powers of Tau file with real snarkjs, for zkcred's ceremony tests.
#
# Usage: make-ptau.sh [POWER] [CACHE_DIR]
#   POWER      log2 of the number of powers (default 13: the credential circuit's QAP domain)
#   CACHE_DIR  where the file is kept (default: <workspace>/target/ptau, or $ZKCRED_PTAU_CACHE)
# Prints the path of the file on its last line of stdout; everything else goes to stderr.
#
# snarkjs is pinned exactly in package.json / package-lock.json and installed with `npm ci`.
# The file is made only if absent: `powersoftau new`, one non-interactive `contribute`, then
# `prepare phase2` (which adds the Lagrange-basis sections 12-15). `prepare phase2` is the slow
# step (minutes on 2 cores for power 13: group FFTs in WebAssembly); later runs reuse the file.
# Rerun from scratch by deleting the cached file.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
power="${1:-13}"
cache="${2:-${ZKCRED_PTAU_CACHE:-$here/../../../target/ptau}}"
version="$(node -p "require('$here/package.json').dependencies.snarkjs")"
mkdir -p "$cache"
cache="$(cd "$cache" && pwd)"
out="$cache/snarkjs-$version-bn128-$power.ptau"

# One maker at a time (test binaries run in parallel).
exec 9>"$cache/.lock"
flock 9

if [ ! -s "$out" ]; then
    cd "$here"
    installed="$(node -p "try { require('./node_modules/snarkjs/package.json').version } catch (e) { '' }")"
    if [ "$installed" != "$version" ]; then
        npm ci --no-audit --no-fund 1>&2
    fi
    snarkjs="$here/node_modules/.bin/snarkjs"
    tmp="$(mktemp -d "$cache/make.XXXXXX")"
    trap 'rm -rf "$tmp"' EXIT
    echo "make-ptau: snarkjs $version, power $power -> $out" 1>&2
    "$snarkjs" powersoftau new bn128 "$power" "$tmp/pot_0000.ptau" 1>&2
    "$snarkjs" powersoftau contribute "$tmp/pot_0000.ptau" "$tmp/pot_0001.ptau" \
        --name="zkcred test contribution" -e="zkcred ceremony test entropy" 1>&2
    "$snarkjs" powersoftau prepare phase2 "$tmp/pot_0001.ptau" "$tmp/final.ptau" 1>&2
    mv "$tmp/final.ptau" "$out"
fi
echo "$out"
