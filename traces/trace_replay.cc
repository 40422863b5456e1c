// SPDX-License-Identifier: GPL-2.0
#include "traces/trace_replay.h"

#include <algorithm>

#include "model/variant_registry.h"

namespace mprogsim::sim {

static_assert(kMaxScheduleSteps == ExecutionOptions{}.max_steps,
              "a trace holds at most the steps one execution may take");

Workload workload_of(const Trace& trace) {
  Workload w;
  w.scenario = trace.scenario;
  w.readers = trace.readers;
  w.passes = trace.passes;
  w.start_readers_after = trace.start_readers_after;
  const auto mutant = mutant_from_name(trace.mutant);
  if (!mutant) throw ScenarioError("$.mutant: unknown mutant '" + trace.mutant + "'");
  const std::string refusal = mutant_refusal(*mutant, w.scenario.semantics);
  if (!refusal.empty()) throw ScenarioError("$.mutant: " + refusal);
  w.mutant = *mutant;
  return w;
}

Trace trace_of(const Workload& workload, const ExecutionResult& result, const TraceOrigin& origin) {
  Trace t;
  t.scenario = workload.scenario;
  t.mutant = std::string(mutant_name(workload.mutant));
  t.readers = workload.readers;
  t.passes = workload.passes;
  t.start_readers_after = workload.start_readers_after;
  t.origin = origin;
  t.schedule = result.schedule;
  TraceOutcome o;
  if (result.violation) {
    const Violation& v = *result.violation;
    o.violation = true;
    o.property = v.property;
    o.step = v.step;
    o.thread = v.thread == kNoThread ? "" : thread_name(v.thread);
    o.message = v.message;
    o.evidence = v.evidence;
  }
  t.outcome = o;
  return t;
}

namespace {

// Whether the run shows the recorded outcome at the recorded step.
void compare_outcome(const Trace& trace, ReplayResult* result) {
  ReplayResult& out = *result;
  const ExecutionResult& r = out.execution;
  const bool expected_violation = trace.outcome && trace.outcome->violation;
  if (!expected_violation) {
    out.reproduced = !r.violation;
    if (r.violation) {
      out.difference = "expected no violation, got " + r.violation->property +
                       " at schedule step " + std::to_string(r.violation->step) + ": " +
                       r.violation->message;
    }
    return;
  }
  const TraceOutcome& want = *trace.outcome;
  if (!r.violation) {
    out.difference = "expected " + want.property + " at schedule step " +
                     std::to_string(want.step) + ", but the execution passed every property";
  } else if (r.violation->property != want.property || r.violation->step != want.step) {
    out.difference = "expected " + want.property + " at schedule step " +
                     std::to_string(want.step) + ", got " + r.violation->property +
                     " at schedule step " + std::to_string(r.violation->step) + ": " +
                     r.violation->message;
  } else {
    out.reproduced = true;
  }
}

}  // namespace

ReplayResult replay_trace(const Trace& trace, bool record_events, bool lenient) {
  ReplayResult out;
  const Workload workload = workload_of(trace);
  const Reference reference = compute_reference(workload);
  ReplayStrategy strategy(trace.schedule, lenient);
  strategy.begin_execution(0);
  ExecutionOptions options;
  options.record_events = record_events;
  if (record_events) options.max_steps = std::min(options.max_steps, kMaxRecordedSteps);
  out.execution = run_execution(workload, reference, strategy, options);
  const ExecutionResult& r = out.execution;
  if (r.status == ExecutionResult::Status::kBadWorkload && record_events &&
      r.schedule.size() >= options.max_steps) {
    out.execution.error += " (the limit when every event is recorded: --explain, --dot, shrink)";
  }
  if (r.status == ExecutionResult::Status::kBadSchedule ||
      r.status == ExecutionResult::Status::kBadWorkload) {
    out.difference = r.error;
    return out;
  }
  compare_outcome(trace, &out);
  // Schedule entries the execution never reached: when it ran as recorded, the file
  // itself is wrong (it goes on past the end), not the model.
  if (!lenient && out.reproduced && r.schedule.size() < trace.schedule.size()) {
    const std::uint64_t left = trace.schedule.size() - r.schedule.size();
    out.reproduced = false;
    out.execution.status = ExecutionResult::Status::kBadSchedule;
    out.execution.error = std::to_string(left) + " schedule step" + (left == 1 ? "" : "s") +
                          " after the execution ended at schedule step " +
                          std::to_string(r.schedule.size()) +
                          (r.violation ? " (at the violation)" : "");
    out.difference = out.execution.error;
  }
  return out;
}

}  // namespace mprogsim::sim
