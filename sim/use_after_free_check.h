// SPDX-License-Identifier: GPL-2.0
// use-after-free: no access to, or second free of, memory already freed, reported
// at the access with who freed it and when (for an RCU free, also who queued the
// callback). A program freed while references remain is found at quiescence, by
// the reference count (sim/refs_leak_check.h).
#pragma once

#include "sim/check.h"

namespace mprogsim::sim {

class UseAfterFreeCheck : public Check {
 public:
  using Check::Check;

  void on_access(ThreadId t, const Transition& tr) {
    const Allocation* a = cx_.shadow.find(tr.addr);
    if (a && a->freed) report(t, tr, *a);
  }

 private:
  [[gnu::noinline]] void report(ThreadId t, const Transition& tr, const Allocation& a);
};

}  // namespace mprogsim::sim
