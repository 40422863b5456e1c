// SPDX-License-Identifier: GPL-2.0
// The simulator's cost: scheduling steps and executions per second for one fixed
// workload (the standard one: 3 loads and 6 control steps that swap the list, 2
// readers x 2 passes), under the random strategy and PCT, beside the same control
// steps run sequentially with no scheduler at all.
#include <benchmark/benchmark.h>

#include "scenario/scenario.h"
#include "scenario/scenario_runner.h"
#include "sim/execution.h"
#include "sim/pct_strategy.h"
#include "sim/random_strategy.h"

namespace mprogsim::sim {
namespace {

Workload fixed_workload() {
  const std::string text = R"({"name": "bench", "semantics": "v2", "steps": [
    {"op": "load", "prog": "P1"}, {"op": "load", "prog": "P2"}, {"op": "load", "prog": "P3"},
    {"op": "attach", "prog": "P1"},
    {"op": "attach", "prog": "P2", "flags": ["BEFORE"], "relative": {"kind": "prog", "name": "P1", "by": "fd"}},
    {"op": "link_attach", "link": "L1", "prog": "P3"},
    {"op": "detach", "prog": "P1"},
    {"op": "link_close", "link": "L1"},
    {"op": "detach", "prog": "P2"}]})";
  Workload w;
  w.scenario = parse_scenarios(text).at(0);
  w.readers = 2;
  w.passes = 2;
  return w;
}

template <typename S>
void run(benchmark::State& state, S& strategy) {
  const Workload w = fixed_workload();
  const Reference ref = compute_reference(w);
  std::uint64_t steps = 0, executions = 0;
  for (auto _ : state) {
    strategy.begin_execution(executions);
    const ExecutionResult r = run_execution(w, ref, strategy, ExecutionOptions{});
    if (r.violation) state.SkipWithError("unexpected violation");
    steps += r.schedule.size();
    executions++;
  }
  state.counters["steps/s"] =
      benchmark::Counter(static_cast<double>(steps), benchmark::Counter::kIsRate);
  state.counters["executions/s"] =
      benchmark::Counter(static_cast<double>(executions), benchmark::Counter::kIsRate);
  state.counters["steps/execution"] = static_cast<double>(steps) / static_cast<double>(executions);
}

void BM_SimRandom(benchmark::State& state) {
  RandomStrategy strategy(1);
  run(state, strategy);
}
BENCHMARK(BM_SimRandom);

void BM_SimPct(benchmark::State& state) {
  PctStrategy strategy(1, 3);
  run(state, strategy);
}
BENCHMARK(BM_SimPct);

// The same control steps on the sequential model: the model's own work.
void BM_SequentialBaseline(benchmark::State& state) {
  const Workload w = fixed_workload();
  for (auto _ : state) {
    auto system = make_system(w.scenario.semantics);
    const ScenarioReport report = run_scenario(w.scenario, *system);
    benchmark::DoNotOptimize(report.passed);
  }
}
BENCHMARK(BM_SequentialBaseline);

// The cost per control step must not grow with the number of objects (issue 10,
// item 15: 16,000 loads took 13 s, lowest-free fd scans in the spec and the fd
// table). N loads, every other program closed, N/2 loads again (each takes the
// lowest free fd), run as `replay` runs a trace: the spec's reference answers, then
// the execution. The fitted complexity is printed (expect N or N log N).
void BM_ReplayLoadCloseReload(benchmark::State& state) {
  const auto n = static_cast<int>(state.range(0));
  Workload w;
  w.scenario.semantics = Semantics::kV2;
  auto step = [&](StepOp op, int i) {
    Step s;
    s.op = op;
    s.prog = "P" + std::to_string(i);
    w.scenario.steps.push_back(s);
  };
  for (int i = 0; i < n; i++) step(StepOp::kLoad, i);
  for (int i = 0; i < n; i += 2) step(StepOp::kProgClose, i);
  for (int i = n; i < n + n / 2; i++) step(StepOp::kLoad, i);
  for (auto _ : state) {
    const Reference ref = compute_reference(w);
    ReplayStrategy strategy({});
    strategy.begin_execution(0);
    const ExecutionResult r = run_execution(w, ref, strategy, ExecutionOptions{});
    if (r.violation || r.status != ExecutionResult::Status::kPassed) state.SkipWithError("failed");
  }
  state.SetComplexityN(static_cast<benchmark::IterationCount>(w.scenario.steps.size()));
  state.counters["steps"] = static_cast<double>(w.scenario.steps.size());
}
BENCHMARK(BM_ReplayLoadCloseReload)
    ->RangeMultiplier(4)
    ->Range(1 << 10, 1 << 16)
    ->Complexity()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace mprogsim::sim

BENCHMARK_MAIN();
