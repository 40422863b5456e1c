// SPDX-License-Identifier: GPL-2.0
// SIGINT during a campaign: the first one asks the campaign to stop where it is, so
// that `check` prints (and writes) the summary of what it did and exits 130; a
// second one ends the process at once (the default action, after the atomic
// writer's handler removed any temporary file).
#pragma once

#include <atomic>

namespace mprogsim::tools {

class InterruptScope {
 public:
  InterruptScope();   // installs the handler, unless SIGINT is ignored
  ~InterruptScope();  // restores what was there
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;
  [[nodiscard]] const std::atomic<bool>* flag() const;

 private:
  bool installed_ = false;
};

}  // namespace mprogsim::tools
