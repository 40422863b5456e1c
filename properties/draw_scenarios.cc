// SPDX-License-Identifier: GPL-2.0
// draw_scenarios COUNT SEED: COUNT random sequential upstream scenarios (the
// simulator's workload generator, sim/workload_gen.h, with no readers), each step
// carrying the spec's answers as expectations, as one JSON array on standard output.
// Only scenarios a real kernel can run as written are kept: no relative object named
// by a raw number that means something else on a real kernel (fds 3 and up are the
// model's objects; ids are the model's numbering, a real kernel's are global) and at
// most one qdisc hold at a time. scripts/kernel-diff.sh exports them with
// `mprogsim export --selftest` and runs them on the machine's kernel: the model
// against the real thing.
#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <string>

#include "common/rng.h"
#include "scenario/scenario.h"
#include "sim/workload_gen.h"

namespace {

using namespace mprogsim;

bool portable(const Scenario& s) {
  int holds = 0;
  for (const Step& step : s.steps) {
    auto has = [&step](const char* flag) {
      return std::find(step.flags.begin(), step.flags.end(), flag) != step.flags.end();
    };
    const Relative& r = step.relative;
    // BPF_F_ID or BPF_F_LINK written in `flags` as well make the kernel read the number
    // as an id, or as a link: a program's fd read as an id, or its id read as a link's,
    // names whatever the model's numbering puts there, not the same object on a real
    // kernel.
    const bool by_id = r.by_id || has("ID");
    const bool as_link = r.kind == Relative::Kind::kLink || has("LINK");
    if (r.kind != Relative::Kind::kNone && !r.raw) {
      if (by_id != r.by_id || as_link != (r.kind == Relative::Kind::kLink)) return false;
    }
    if (r.raw) {
      // fd 0 is "none"; 1 and 2 are open files that are no BPF object in both worlds;
      // 99 and 4242 are open in neither. Id 0 is no object's in both.
      if (!(by_id ? *r.raw == 0 : (*r.raw <= 2 || *r.raw >= 99))) return false;
    }
    if (step.op == StepOp::kMiniqInc && ++holds > 1) return false;
    if (step.op == StepOp::kMiniqDec) --holds;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  char* end = nullptr;
  const unsigned long count = argc == 3 ? std::strtoul(argv[1], &end, 10) : 0;
  const bool count_ok = argc == 3 && end && *end == 0 && count > 0 && count <= 100000;
  const unsigned long long seed = count_ok ? std::strtoull(argv[2], &end, 10) : 0;
  if (!count_ok || !end || *end != 0) {
    std::cerr << "usage: draw_scenarios COUNT(1..100000) SEED\n";
    return 2;
  }
  Rng rng(seed);
  std::cout << "[";
  for (unsigned long kept = 0, drawn = 0; kept < count; drawn++) {
    sim::WorkloadShape shape;
    shape.semantics = Semantics::kUpstream;
    shape.progs = 2 + static_cast<u32>(rng.below(4));
    shape.ops = 6 + static_cast<u32>(rng.below(10));
    shape.readers = 0;
    shape.vary_initial_revision = false;
    sim::Workload w = sim::draw_workload(rng, shape);
    if (!portable(w.scenario)) continue;
    w.scenario.name = "drawn " + std::to_string(drawn) + " (seed " + std::to_string(seed) + ")";
    std::cout << (kept ? ",\n" : "\n") << write_scenario(w.scenario);
    kept++;
  }
  std::cout << "\n]\n";
  return std::cout ? 0 : 2;
}
