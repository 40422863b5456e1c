// SPDX-License-Identifier: GPL-2.0
// The checks every execution runs: a fixed list of checkers (sim/check.h), called
// in this order, each directly (the list is a tuple: no virtual call per access).
// A new property: a class in its own `*_check.h`, its name in
// sim/property_names.h, and one entry here.
#pragma once

#include <string>
#include <tuple>

#include "sim/check.h"
#include "sim/kernel_warn_check.h"
#include "sim/out_of_bounds_check.h"
#include "sim/refs_leak_check.h"
#include "sim/snapshot_check.h"
#include "sim/spec_revision_check.h"
#include "sim/static_keys_check.h"
#include "sim/use_after_free_check.h"

namespace mprogsim::sim {

template <Checker... C>
class CheckList {
 public:
  explicit CheckList(const CheckContext& cx) : checks_(C(cx)...) {}

  void access(ThreadId t, const Transition& tr) {
    each([&](auto& c) { c.on_access(t, tr); });
  }
  void step_begin(std::size_t k) {
    each([&](auto& c) { c.on_step_begin(k); });
  }
  void step_end(std::size_t k, const Step& step, const StepReport& report) {
    each([&](auto& c) { c.on_step_end(k, step, report); });
  }
  void pass_end(const PassToJudge& pass) {
    each([&](auto& c) { c.on_pass_end(pass); });
  }
  // Stops at the first checker that reports.
  void quiescence() {
    std::apply([](auto&... c) { (c.on_quiescence() || ...); }, checks_);
  }
  void warn(ThreadId t, const std::string& what) {
    each([&](auto& c) { c.on_warn(t, what); });
  }
  void out_of_bounds(ThreadId t, const std::string& what) {
    each([&](auto& c) { c.on_out_of_bounds(t, what); });
  }

 private:
  template <typename F>
  void each(F f) {
    std::apply([&](auto&... c) { (f(c), ...); }, checks_);
  }
  std::tuple<C...> checks_;
};

// Quiescence order matters (one violation is reported there): the static keys
// first, then references and leaks.
using Checks = CheckList<UseAfterFreeCheck, SnapshotCheck, SpecRevisionCheck, StaticKeysCheck,
                         RefsLeakCheck, OutOfBoundsCheck, KernelWarnCheck>;

}  // namespace mprogsim::sim
