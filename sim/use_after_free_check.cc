// SPDX-License-Identifier: GPL-2.0
#include "sim/use_after_free_check.h"

#include "sim/location_names.h"

namespace mprogsim::sim {

void UseAfterFreeCheck::report(ThreadId t, const Transition& tr, const Allocation& a) {
  std::string freer =
      a.freed_by == kRcuThread
          ? "an RCU callback at schedule step " + std::to_string(a.freed_at) + " (queued by " +
                thread_name(a.queued_by) + " at schedule step " + std::to_string(a.queued_at) + ")"
          : thread_name(a.freed_by) + " at schedule step " + std::to_string(a.freed_at);
  const std::string what =
      tr.kind == StepKind::kFree ? "kfree (double free)" : access_name(tr.access);
  const std::string location = location_name(cx_.shadow, cx_.target, tr.addr);
  cx_.verdicts.violate(
      "use-after-free", t, thread_name(t) + " " + what + " of " + location + ", freed by " + freer,
      {{"access", what},
       {"location", location},
       {"object", a.name()},
       {"freed_by", a.freed_by == kRcuThread ? "rcu" : thread_name(a.freed_by)},
       {"freed_at_step", std::to_string(a.freed_at)},
       {"queued_by", a.queued_by == kNoThread ? "" : thread_name(a.queued_by)},
       {"queued_at_step", a.queued_by == kNoThread ? "" : std::to_string(a.queued_at)}});
}

}  // namespace mprogsim::sim
