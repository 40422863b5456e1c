// SPDX-License-Identifier: GPL-2.0
#include "sim/workload_gen.h"

#include <array>
#include <utility>

#include "scenario/scenario_runner.h"

namespace mprogsim::sim {
namespace {
// Weights for the simulator: mostly operations that swap or rewrite the list.
constexpr std::array<std::pair<u32, ActionKind>, 11> kSimWeights = {{
    {30, ActionKind::kAttach},
    {16, ActionKind::kDetach},
    {12, ActionKind::kLinkAttach},
    {8, ActionKind::kLinkUpdate},
    {5, ActionKind::kLinkDetach},
    {8, ActionKind::kProgClose},
    {5, ActionKind::kLinkClose},
    {4, ActionKind::kQuery},
    {4, ActionKind::kMiniqInc},
    {4, ActionKind::kMiniqDec},
    {4, ActionKind::kLoad},
}};

}  // namespace

Action draw_sim_action(Rng& rng) {
  Action a;
  a.kind = weighted_item(kSimWeights, rng.below(total_weight(kSimWeights)));
  const u64 r = rng.next();
  a.prog = static_cast<u32>(r % 1024);
  a.other = static_cast<u32>((r >> 10) % 1024);
  a.relative_pick = static_cast<u32>((r >> 20) % 1024);
  a.by_id = (r >> 30) & 1;
  a.revision = (r >> 31) % 8 == 0 ? 1 : 0;  // sometimes the current revision
  a.count = static_cast<u32>((r >> 34) % 4);
  // The shape of an attach or detach, so that most operations succeed: plain;
  // BEFORE/AFTER a program or link; FIRST/LAST; REPLACE a program; anything.
  const u32 shape = static_cast<u32>((r >> 36) % 20);
  if (shape < 10) {
    a.flags = 0;
    a.relative = 0;
  } else if (shape < 15) {
    const bool link = (r >> 41) % 3 == 0;
    a.flags = ((r >> 42) & 1 ? kActionFlagBefore : kActionFlagAfter) | (link ? kActionFlagLink : 0);
    a.relative = (r >> 43) % 4 == 0 ? 0 : link ? 2 : 1;
  } else if (shape < 17) {
    a.flags = (r >> 44) & 1 ? kActionFlagFirst : kActionFlagLast;
    a.relative = 0;
  } else if (shape < 19) {
    a.flags = kActionFlagReplace;
    a.relative = 1;
  } else {
    a.flags = static_cast<u32>((r >> 45) % 128);
    a.relative = static_cast<u32>((r >> 52) % 4);
  }
  return a;
}

Workload make_workload(const std::vector<Action>& actions, const WorkloadShape& shape,
                       u64 initial_revision) {
  std::vector<Action> all;
  for (u32 i = 0; i < shape.progs; i++) all.push_back(Action{ActionKind::kLoad, i});
  all.insert(all.end(), actions.begin(), actions.end());
  Workload w;
  w.scenario = resolve_actions(all, shape.semantics, initial_revision);
  w.scenario.name = "simulator workload";
  w.readers = shape.readers;
  w.passes = shape.passes;
  w.start_readers_after = shape.start_readers_after;
  w.mutant = shape.mutant;
  return w;
}

Workload draw_workload(Rng& rng, const WorkloadShape& shape) {
  // A detach of no program by position: the first or the last one. v2 says so with
  // FIRST / LAST; upstream with BEFORE (the first) or no flag (the last).
  auto by_position = [&shape](Rng& r) -> std::vector<std::string> {
    const bool first = r.below(2);
    if (!variant_info(shape.semantics).first_last) {
      return first ? std::vector<std::string>{"BEFORE"} : std::vector<std::string>{};
    }
    return {first ? "FIRST" : "LAST"};
  };
  std::vector<Action> actions;
  for (u32 i = 0; i < shape.ops; i++) actions.push_back(draw_sim_action(rng));
  u64 initial_revision = 1;
  if (shape.vary_initial_revision && rng.below(8) == 0) {
    constexpr std::array<u64, 3> kNearWrap = {0xfffffffe, 0xffffffff, 0x7fffffff};
    initial_revision = kNearWrap[rng.below(kNearWrap.size())];
  }
  Workload w = make_workload(actions, shape, initial_revision);
  // Detach by position (no program, FIRST or LAST) is the one detach that holds no
  // reference of the caller's own, so it is the one where the attach reference is
  // the last: make it common. The spec then re-answers every step.
  // (A rewrite can unbind a later name: a link whose attach now fails. Then the
  // workload stays as resolved.)
  Workload rewritten_workload = w;
  bool rewritten = false;
  for (Step& step : rewritten_workload.scenario.steps) {
    if (step.op != StepOp::kDetach || rng.below(5) >= 2) continue;
    step.prog.reset();
    step.flags = by_position(rng);
    step.relative = {};
    step.expected_revision = 0;
    rewritten = true;
  }
  // Two thirds of the workloads end the way a loader process often does: it closes
  // its program fds (the attachments keep the programs alive), then detaches by
  // position, or replaces a program by id. Either way the attach reference is the
  // last one, which is what the reference-dropping paths need.
  const u64 tail = rng.below(3);
  if (tail != 0) {
    std::vector<std::string> open;
    std::size_t loaded = 0;
    {
      auto spec = make_spec(shape.semantics);
      ScenarioSession session(*spec, rewritten_workload.scenario.initial_revision, shape.semantics);
      try {
        for (const Step& step : rewritten_workload.scenario.steps) session.step(step);
        loaded = session.prog_names().size();
        for (const auto& name : session.prog_names()) {
          if (!session.prog_closed(name)) open.push_back(name);
        }
      } catch (const ScenarioError&) {
        open.clear();
      }
    }
    for (const auto& name : open) {
      Step close;
      close.op = StepOp::kProgClose;
      close.prog = name;
      rewritten_workload.scenario.steps.push_back(close);
    }
    // (Upstream replaces by the old program's fd, which the tail has just closed.)
    if (tail == 1 || open.empty() || variant_info(shape.semantics).replace_field) {
      for (u64 i = 0, n = 1 + rng.below(2); i < n; i++) {
        Step detach;
        detach.op = StepOp::kDetach;
        detach.flags = by_position(rng);
        rewritten_workload.scenario.steps.push_back(detach);
      }
    } else {
      Step load;
      load.op = StepOp::kLoad;
      load.prog = "P" + std::to_string(loaded + 1);
      Step replace;
      replace.op = StepOp::kAttach;
      replace.prog = load.prog;
      replace.flags = {"REPLACE"};
      replace.relative.kind = Relative::Kind::kProg;
      replace.relative.name = open[rng.below(open.size())];
      replace.relative.by_id = true;
      rewritten_workload.scenario.steps.push_back(load);
      rewritten_workload.scenario.steps.push_back(replace);
    }
    rewritten = true;
  }
  if (!rewritten) return w;
  try {
    rewritten_workload.scenario = with_spec_expectations(rewritten_workload.scenario);
  } catch (const ScenarioError&) {
    return w;
  }
  return rewritten_workload;
}

}  // namespace mprogsim::sim
