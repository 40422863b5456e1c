// SPDX-License-Identifier: GPL-2.0
// The semantic diff's two sides and what a user sees of them (properties/semantic_diff.cc
// searches over them): a side is a fresh system of one variant with its own mutant,
// driven through the scenario runner; a view is everything observable of a side, as
// answers and as one canonical text (the search merges states by it).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "properties/semantic_diff.h"
#include "scenario/scenario_runner.h"

namespace mprogsim::properties::diff {

[[nodiscard]] Step make_step(StepOp op);
[[nodiscard]] Relative relative_to(Relative::Kind kind, const std::string& name, bool by_id);

// One side: a fresh system of one variant, with that side's mutant (each system
// runs its own), driven through the scenario runner so that names and flag names
// become that variant's fds, ids and bits.
class Side {
 public:
  Side(const Variant& variant, std::optional<u64> initial_revision) : variant_(variant) {
    system_ = make_system(variant_.semantics, variant_.mutant);
    // Each side's scenario is written with that side's answers as expectations, so a
    // link_attach binds its name on a side exactly when it succeeds there.
    session_ = std::make_unique<ScenarioSession>(*system_, initial_revision, variant_.semantics,
                                                 NameBinding::kFromResult);
  }
  ~Side() {
    session_.reset();  // before the system it names
    system_.reset();
  }
  Side(const Side&) = delete;
  Side& operator=(const Side&) = delete;

  StepReport step(const Step& step) { return session_->step(step); }
  u32 holds() const { return system_->miniq_holds(); }
  const ScenarioSession& session() const { return *session_; }

 private:
  Variant variant_;
  std::unique_ptr<MprogApi> system_;
  std::unique_ptr<ScenarioSession> session_;
};

// Both sides after the same steps, and the qdisc holds those steps took (the runner
// refuses a miniq_dec without one, so the alphabet needs the count).
struct Pair {
  Pair(const SemanticDiffOptions& o) : a(o.a, o.initial_revision), b(o.b, o.initial_revision) {}
  Side a;
  Side b;
  unsigned taken = 0;
};

// The observation steps, in this order: query (full buffer), query buffer 0, query
// buffer 1, run. Plus refs of every name the side has bound.
constexpr std::size_t kObservations = 4;

// Everything a user can see of one side, as answers (for the derived observation
// edges) and as one canonical text (for merging states).
struct View {
  std::string key;
  std::vector<Step> answers;  // kObservations answers, then the refs answer
};

[[nodiscard]] std::string join(const std::vector<std::string>& items);
[[nodiscard]] std::string query_text(const Step& q);
[[nodiscard]] Step query_step(std::optional<u32> buffer);
[[nodiscard]] Step refs_step(const std::vector<std::string>& progs,
                             const std::vector<std::string>& links);
[[nodiscard]] View observe(Side& side);

}  // namespace mprogsim::properties::diff
