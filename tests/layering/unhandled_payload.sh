#!/usr/bin/env bash
# Adds a payload to a copy of events.proto and compiles every payload
# switch against it: each must fail to build, naming the new case. This is
# what makes "one place per event type" a rule: the compiler lists every
# site a new event must be handled in (README, "Adding an event type").
#   unhandled_payload.sh PROTOC CXX SOURCE_DIR WORK_DIR
set -euo pipefail
protoc=$1 cxx=$2 source=$3 work=$4
rm -rf "$work" && mkdir -p "$work/gen"
cp -r "$source/proto" "$work/proto"
events="$work/proto/dxledger/v1/events.proto"
# A new event type: its message, and its case in the payload.
printf '\nmessage GoalRenumbered {\n  int32 report_number = 1;\n}\n' >>"$events"
sed -i 's/^    ChangeDecided change_decided = 33;/&\n    GoalRenumbered goal_renumbered = 999;/' "$events"
grep -q 'goal_renumbered = 999' "$events"
(cd "$work/proto" && "$protoc" --cpp_out="$work/gen" dxledger/v1/*.proto)
sites=(service/domain/goal.cc service/domain/commands.cc service/domain/principals.cc
  service/domain/fiscal_years.cc service/domain/event_kinds.cc proto/notation/event_text.cc)
missed=0
for site in "${sites[@]}"; do
  if "$cxx" -std=c++20 -fsyntax-only -Wswitch -Werror -I"$work/gen" -I"$source" \
    "$source/$site" >"$work/out.txt" 2>&1; then
    echo "$site: builds with an unhandled payload"
    missed=1
  elif ! grep -q "kGoalRenumbered" "$work/out.txt"; then
    echo "$site: fails, but not for the unhandled payload:"
    head -5 "$work/out.txt"
    missed=1
  else
    echo "$site: $(grep -m1 'kGoalRenumbered' "$work/out.txt" | sed 's/.*error: //')"
  fi
done
rm -rf "$work"
exit $missed
