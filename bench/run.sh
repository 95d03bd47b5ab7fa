#!/usr/bin/env bash
# The benchmark in one command: micsync against raw rsync and the original Python micsync.
#
#   bench/run.sh [--files N] [--runs R] [--parse-lines L] [--dir DIR]
#
# Defaults: 100,000 files, 7 rounds, 1,000,000 parsed lines, trees in /var/tmp/micsync-bench
# (about 1 GiB per 100,000 files: two copies and hard-linked variants, reused by later runs with
# the same count; the first-copy scenario writes one more copy per run, deleted at the end).
# Prints the table and writes it to bench/RESULTS.md. A default run takes about 12 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

files=100000
runs=7
parse_lines=1000000
dir=/var/tmp/micsync-bench
while [ $# -gt 0 ]; do
  case "$1" in
    --files) files=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --parse-lines) parse_lines=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    -h|--help) sed -n '2,10s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "bench/run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

if ! command -v hyperfine >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "bench/run.sh: hyperfine is missing; install it (apt-get install hyperfine)" >&2
    exit 1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y hyperfine
fi
command -v rsync >/dev/null || { echo "bench/run.sh: rsync is missing" >&2; exit 1; }

cargo build --release --locked --quiet
parse_bench=$(cargo bench --locked --no-run --bench parse --message-format=json 2>/dev/null |
  python3 -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "parse":
        print(m["executable"])')

venv=bench/.venv-orig
if [ ! -x "$venv/bin/micsync" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet micsync==0.0.4.dev1
fi

needed_kib=$((files * 12 * (2 * runs + 5)))
free_kib=$(df -Pk "$(dirname "$dir")" | awk 'NR == 2 { print $4 }')
if [ "$free_kib" -lt "$needed_kib" ]; then
  echo "bench/run.sh: $((needed_kib / 1024)) MiB free needed at $dir" >&2
  exit 1
fi

exec python3 bench/bench.py --files "$files" --runs "$runs" --dir "$dir" \
  --micsync "$PWD/target/release/micsync" --original "$PWD/$venv/bin/micsync" \
  --parse-bench "$parse_bench" --parse-lines "$parse_lines" --results bench/RESULTS.md
