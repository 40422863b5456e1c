// SPDX-License-Identifier: GPL-2.0
// snapshot: every reader pass saw exactly the list of one committed state that was
// current at some moment of that pass, judged by happens-before (sim/snapshot_check.cc
// says how). A pass that breaks it may be a known finding (upstream's replace mix,
// sim/findings.h).
#pragma once

#include "sim/check.h"

namespace mprogsim::sim {

class SnapshotCheck : public Check {
 public:
  using Check::Check;
  void on_pass_end(const PassToJudge& pass);
};

}  // namespace mprogsim::sim
