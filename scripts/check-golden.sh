#!/bin/bash
# usage: [GOLDEN_CUR=dir] scripts/check-golden.sh save|check   (not a committed test; perf-work guard)
mode=${1:-check}
G=${GOLDEN_DIR:-/tmp/golden}
CUR=${GOLDEN_CUR:-$G/cur}
mkdir -p $G/save $CUR
out=$CUR; [ "$mode" = save ] && out=$G/save
cd "$(dirname "$0")/.."
[ -f /tmp/g.log ] || node dist/cli.js synth --nodes 3 --events 20000 --out /tmp/g.log >/dev/null
[ -f /tmp/g2.log ] || node dist/cli.js synth --nodes 2 --events 20000 --style kernlog --seed 7 --out /tmp/g2.log >/dev/null
files=$(ls test/fixtures/corpus/qemu/*.log test/fixtures/corpus/real/*.log test/fixtures/sample/*.log) 
files="$files /tmp/g.log /tmp/g2.log"
for f in $files; do
  b=$(echo "$f" | tr '/' '_')
  node dist/cli.js analyze "$f" --json > $out/$b.json 2>&1
  node dist/cli.js analyze "$f" > $out/$b.txt 2>&1
  for n in 50 300 2000; do node dist/cli.js state "$f" --line $n --json > $out/$b.state$n.json 2>&1; done
done
if [ "$mode" = check ]; then
  if diff -rq $G/save $CUR; then echo GOLDEN OK; else echo GOLDEN DIFF; exit 1; fi
fi
