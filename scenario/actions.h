// SPDX-License-Identifier: GPL-2.0
// Abstract actions and their resolution into scenario steps. An action says what
// kind of operation to try and carries numbers that pick its operands; the resolver
// turns it, against whatever programs and links exist at that moment (as the spec's
// session knows them), into zero or more steps whose every name is bound. The
// property tests (properties/differential.h), the sequential campaign and the
// simulator's workloads (sim/workload_gen.h) all draw actions and resolve them here.
//
// Actions index objects modulo how many exist, so deleting any action (shrinking)
// leaves a valid sequence.
#pragma once

#include <utility>
#include <vector>

#include "model/mprog_api.h"
#include "model/variant_registry.h"
#include "scenario/scenario.h"
#include "scenario/scenario_runner.h"

namespace mprogsim {

enum class ActionKind : u8 {
  kLoad,
  kAttach,
  kDetach,
  kLinkAttach,
  kLinkUpdate,
  kLinkDetach,
  kProgClose,
  kLinkClose,
  kQuery,
  kRun,
  kMiniqInc,
  kMiniqDec,
  kAttachMany,  // load and attach `count` fresh programs: reaches the 63 limit
};

// How often each kind is drawn, shared by the RapidCheck generator and `mprogsim
// check` so both explore the same mix.
inline constexpr std::pair<u32, ActionKind> kActionWeights[] = {
    {10, ActionKind::kLoad},      {24, ActionKind::kAttach},    {12, ActionKind::kDetach},
    {8, ActionKind::kLinkAttach}, {5, ActionKind::kLinkUpdate}, {3, ActionKind::kLinkDetach},
    {2, ActionKind::kProgClose},  {2, ActionKind::kLinkClose},  {4, ActionKind::kQuery},
    {2, ActionKind::kRun},        {2, ActionKind::kMiniqInc},   {2, ActionKind::kMiniqDec},
    {2, ActionKind::kAttachMany},
};

// Bits of Action::flags: bit i stands for the i-th of REPLACE BEFORE AFTER FIRST LAST
// ID LINK.
inline constexpr u32 kActionFlagReplace = 1U << 0;
inline constexpr u32 kActionFlagBefore = 1U << 1;
inline constexpr u32 kActionFlagAfter = 1U << 2;
inline constexpr u32 kActionFlagFirst = 1U << 3;
inline constexpr u32 kActionFlagLast = 1U << 4;
inline constexpr u32 kActionFlagId = 1U << 5;
inline constexpr u32 kActionFlagLink = 1U << 6;

struct Action {
  ActionKind kind = ActionKind::kLoad;
  u32 prog = 0;      // picks a program (modulo), or the type for kLoad
  u32 other = 0;     // a second program (link update's old prog) or a link
  u32 flags = 0;     // kActionFlag* bits
  u32 relative = 0;  // 0 none; 1 prog; 2 link; 3 raw number
  u32 relative_pick = 0;
  bool by_id = false;
  u32 revision = 0;  // 0 none; 1 current; 2 current - 1; 3 current + 1; 4 0x80000000
  u32 count = 0;     // query buffer choice, or kAttachMany's count
};

// Resolves actions against the names bound in `spec_session`, a session on `spec`
// (the abstract spec of `semantics`); the caller runs each resolved step on that
// session before resolving the next action.
class ActionResolver {
 public:
  ActionResolver(const ScenarioSession& spec_session, const MprogApi& spec, Semantics semantics)
      : session_(spec_session), spec_(spec), variant_(variant_info(semantics)) {}

  // The steps `action` stands for now; `current_revision` is the attach point's
  // revision, which the action's expected_revision choice is relative to.
  std::vector<Step> resolve(const Action& action, u64 current_revision);

  // Programs loaded and link attaches tried by the steps resolved so far: the ids
  // that may exist.
  u32 progs_loaded() const { return progs_loaded_; }
  u32 link_attempts() const { return link_attempts_; }

 private:
  std::vector<std::string> open_progs() const;
  std::vector<std::string> open_links() const;
  Relative relative_of(const Action& a) const;
  u64 expected_revision_of(const Action& a, u64 current) const;
  std::vector<std::string> flags_of(const Action& a) const;
  std::string new_prog_name() { return "P" + std::to_string(++progs_loaded_); }
  void resolve_attach(const Action& a, u64 current_revision, const std::vector<std::string>& progs,
                      std::vector<Step>* out);
  Step detach_step(const Action& a, u64 current_revision,
                   const std::vector<std::string>& progs) const;
  void resolve_attach_many(const Action& a, std::vector<Step>* out);

  const ScenarioSession& session_;
  const MprogApi& spec_;
  // What the choices depend on: whether FIRST/LAST exist (without them, positions
  // are picked with BEFORE/AFTER and full batches), where REPLACE names its program,
  // and the revision's width.
  const VariantInfo& variant_;
  u32 progs_loaded_ = 0;
  u32 link_attempts_ = 0;
};

// The scenario `actions` resolve to, run on the spec of `semantics` from
// `initial_revision`, each step carrying the spec's answers as expectations.
// Throws ScenarioError if a resolved step is one the format forbids (a bug here).
[[nodiscard]] Scenario resolve_actions(const std::vector<Action>& actions, Semantics semantics,
                                       u64 initial_revision);

}  // namespace mprogsim
