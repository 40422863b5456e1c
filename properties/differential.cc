// SPDX-License-Identifier: GPL-2.0
#include "properties/differential.h"

#include <memory>

#include "model/uapi.h"
#include "model/variant_registry.h"
#include "properties/invariants.h"
#include "scenario/actions.h"
#include "scenario/scenario_runner.h"

namespace mprogsim::properties {
namespace {

class Differential {
 public:
  explicit Differential(const DifferentialOptions& options)
      : options_(options),
        spec_(make_spec(options.semantics)),
        model_(make_system(options.semantics, options.mutant)),
        // The counterexample's expectations are the spec's answers, so the spec binds
        // a link name when its link_attach succeeds and the model is given the spec's
        // answered step: both then bind what the written file binds.
        spec_session_(*spec_, options.initial_revision, options.semantics,
                      NameBinding::kFromResult),
        model_session_(*model_, options.initial_revision, options.semantics),
        resolver_(spec_session_, *spec_, options.semantics) {
    result_.counterexample.name = "differential counterexample";
    result_.counterexample.semantics = options.semantics;
    if (options.initial_revision != 1) {
      result_.counterexample.initial_revision = options.initial_revision;
    }
    model_before_ = observe(*model_, 0, 0);
  }

  DifferentialResult run(const std::vector<Action>& actions) {
    for (const Action& action : actions) {
      const u64 current = model_before_.query.written ? model_before_.query.revision : 1;
      for (const Step& step : resolver_.resolve(action, current)) {
        if (!execute(step)) return std::move(result_);
      }
    }
    return std::move(result_);
  }

 private:
  StepFacts facts_of(const Step& step, const StepReport& report) const {
    StepFacts f;
    switch (step.op) {
      case StepOp::kAttach:
        f.kind = StepFacts::Kind::kAttach;
        break;
      case StepOp::kDetach:
        f.kind = StepFacts::Kind::kDetach;
        break;
      case StepOp::kLinkAttach:
        f.kind = StepFacts::Kind::kLinkCreate;
        break;
      case StepOp::kLinkUpdate:
        f.kind = StepFacts::Kind::kLinkUpdate;
        break;
      default:
        return f;
    }
    f.ret = errno_from_name(report.observed.expect.value_or("OK")).value_or(-1);
    f.expected_revision = step.expected_revision;
    f.semantics = options_.semantics;
    return f;
  }

  // Runs one step on both sides; false (with result_ filled) on the first failure.
  bool execute(const Step& step) {
    StepReport spec_report, model_report;
    try {
      spec_report = spec_session_.step(step);
      model_report = model_session_.step(spec_report.observed);
    } catch (const ScenarioError& e) {
      return fail(std::string("internal bug: the generator made a bad step: ") + e.what());
    }
    result_.counterexample.steps.push_back(spec_report.observed);
    const Observation model_after =
        observe(*model_, resolver_.progs_loaded(), resolver_.link_attempts());
    // The observation's own query and pass may be what walks past the array.
    if (model_->out_of_bounds().size() > out_of_bounds_seen_) {
      return fail("out-of-bounds after " + std::string(step_op_name(step.op)) + ": " +
                  model_->out_of_bounds()[out_of_bounds_seen_] +
                  " (the kernel would access memory past the array)");
    }
    if (!model_report.warnings.empty()) return fail(model_report.warnings.front());
    if (options_.check_spec) {
      if (spec_report.line != model_report.line) {
        return fail(std::string("model and spec differ on ") + step_op_name(step.op) +
                    ":\n  model: " + model_report.line + "\n  spec:  " + spec_report.line);
      }
      const Observation spec_after =
          observe(*spec_, resolver_.progs_loaded(), resolver_.link_attempts());
      if (!(spec_after == model_after)) {
        return fail("state differs after " + std::string(step_op_name(step.op)) +
                    ":\n  model: " + describe(model_after) + "\n  spec:  " + describe(spec_after));
      }
    }
    if (options_.check_invariants) {
      auto violations = check_state(options_.semantics, *model_, model_after);
      const auto step_violations =
          check_step(facts_of(step, model_report), model_before_, model_after);
      violations.insert(violations.end(), step_violations.begin(), step_violations.end());
      for (const Violation& v : violations) {
        if (!v.finding.empty()) result_.findings.insert(v.finding);
      }
      for (const Violation& v : violations) {
        if (v.finding.empty() || !options_.tolerated_findings.count(v.finding)) {
          return fail("invariant broken after " + std::string(step_op_name(step.op)) + ": " +
                      (v.finding.empty() ? "" : "[" + v.finding + "] ") + v.what);
        }
      }
    }
    model_before_ = model_after;
    return true;
  }

  bool fail(const std::string& what) {
    result_.ok = false;
    result_.failure = what;
    // Close the counterexample with a full observation, as the spec sees it.
    Step query;
    query.op = StepOp::kQuery;
    Step run;
    run.op = StepOp::kRun;
    Step refs;
    refs.op = StepOp::kRefs;
    refs.expect_refs.emplace();
    for (const auto& name : spec_session_.prog_names()) (*refs.expect_refs)[name] = 0;
    for (const auto& name : spec_session_.link_names()) (*refs.expect_refs)[name] = 0;
    try {
      for (const Step& s : {query, run, refs}) {
        result_.counterexample.steps.push_back(spec_session_.step(s).observed);
      }
    } catch (const ScenarioError&) {
    }
    return false;
  }

  DifferentialOptions options_;
  std::unique_ptr<MprogApi> spec_;
  std::unique_ptr<MprogApi> model_;
  ScenarioSession spec_session_;
  ScenarioSession model_session_;
  ActionResolver resolver_;
  Observation model_before_;
  std::size_t out_of_bounds_seen_ = 0;  // none: the first one fails the run
  DifferentialResult result_;
};

}  // namespace

DifferentialResult run_differential(const std::vector<Action>& actions,
                                    const DifferentialOptions& options) {
  return Differential(options).run(actions);
}

}  // namespace mprogsim::properties
