#!/usr/bin/env bash
# Regenerates bench/RESULTS.md and its plots from scratch on this machine:
#   bench/results/regenerate.sh            (RUNS=3 by default; RUNS=1 for a quick look)
# It installs what it needs (Debian packages, gnuplot), builds brook in Release, runs
# `brook bench compare` (every workload at 100 B values; produce and consume at 10 B to 10 KB),
# keeps the raw JSON in bench/results/, draws the plots and writes bench/RESULTS.md.
# Takes about 15 minutes with RUNS=3. Run it on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS="${RUNS:-3}"
out=bench/results

scripts/install-deps
if ! command -v gnuplot >/dev/null; then
  SUDO=""; if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends gnuplot-nox >/dev/null
fi
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DBROOK_TESTS=OFF >/dev/null  # as scripts/serve
cmake --build build --target brook -j"$(nproc)"
brook=build/cli/brook

run() {  # NAME ARGS...: one compare run, its command kept beside its JSON
  local name=$1; shift
  echo "brook bench compare $* --runs $RUNS --json" > "$out/$name.cmd"
  echo "== $name: brook bench compare $*" >&2
  "$brook" bench compare "$@" --runs "$RUNS" --json > "$out/$name.json"
}

run compare --records 1000000
# The same bytes per run at every size (about 100 MB of values; 1,000,000 records at most).
for size in 10 100 1000 10000; do
  records=$(( 100000000 / size )); [ "$records" -gt 1000000 ] && records=1000000
  run "size-$size" --only produce --only consume --value-size "$size" --records "$records"
done
python3 bench/results/report.py "$out" bench/RESULTS.md
echo "wrote bench/RESULTS.md" >&2
