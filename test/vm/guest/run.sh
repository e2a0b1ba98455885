#!/bin/sh
# The VM test's guest side: started at boot by taskmaster-vm-test.service
# (baked into the image by test/vm/image.ts), which powers the VM off when
# this ends, however it ends. First setup.sh (taskmaster installed and
# started), then every scenario test/vm/scenarios/*.sh in name order, or
# those named by tm.scenarios=a,b on the kernel command line. Each runs with
# lib.sh sourced, $OUT its results directory /results/NAME, its output in
# /results/NAME/log and its exit code in /results/NAME/exit.
# /results/done is written last: without it the host knows the run broke.
set -u
RESULTS=/results
GUEST=/src/test/vm/guest
SCENARIOS=/src/test/vm/scenarios
STEP_TIMEOUT=300

say() { echo "tm-vm: $*"; }

# run_step NAME SCRIPT: SCRIPT's output and exit code under /results/NAME.
run_step() {
  name=$1
  mkdir -p "$RESULTS/$name"
  say "$name: start"
  OUT=$RESULTS/$name timeout "$STEP_TIMEOUT" /bin/sh -c '. "$1"; . "$2"' sh "$GUEST/lib.sh" "$2" >"$RESULTS/$name/log" 2>&1
  code=$?
  echo "$code" >"$RESULTS/$name/exit"
  say "$name: exit $code"
  # On the console too: the host shows the serial log's end when a run breaks.
  tail -n 40 "$RESULTS/$name/log" | sed "s/^/tm-vm: $name| /"
}

# tm.scenarios=a,b on the kernel command line: only those.
wanted() {
  only=$(tr ' ' '\n' </proc/cmdline | sed -n 's/^tm\.scenarios=//p')
  [ -z "$only" ] || printf ',%s,' "$only" | grep -q ",$1,"
}

say "kernel $(uname -r), $(nproc) CPUs, up $(cut -d' ' -f1 /proc/uptime) s"
run_step setup "$GUEST/setup.sh"
# Scenarios run after a failed setup too: their own failures then say more
# than a missing result would.
for script in "$SCENARIOS"/*.sh; do
  name=$(basename "$script" .sh)
  wanted "$name" && run_step "$name" "$script"
done
say "done, up $(cut -d' ' -f1 /proc/uptime) s"
date +%s >"$RESULTS/done"
