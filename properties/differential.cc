// SPDX-License-Identifier: GPL-2.0
#include "properties/differential.h"

#include <array>
#include <memory>

#include "model/uapi.h"
#include "model/upstream/mprog_spec.h"
#include "model/upstream/system.h"
#include "model/v2/mprog_spec.h"
#include "model/v2/system.h"
#include "properties/invariants.h"
#include "traces/scenario_runner.h"

namespace mprogsim::properties {
namespace {

constexpr u32 kProgsMax = 70;  // enough to hit bpf_mprog_max() = 63
constexpr u32 kLinksMax = 24;
constexpr std::array<const char*, 7> kFlagNames = {"REPLACE", "BEFORE", "AFTER", "FIRST",
                                                   "LAST",    "ID",     "LINK"};
constexpr std::array<u32, 8> kRawObjects = {0, 1, 2, 3, 4, 5, 99, 4242};
// Bits of Action::flags: bit i stands for kFlagNames[i].
constexpr u32 kFlagReplace = 1U << 0;
constexpr u32 kFlagBefore = 1U << 1;
constexpr u32 kFlagAfter = 1U << 2;
constexpr u32 kFlagFirst = 1U << 3;
constexpr u32 kFlagLast = 1U << 4;

// make_spec (the spec of a semantics) comes from traces/scenario_runner.h.
std::unique_ptr<MprogApi> make_model(Semantics semantics) {
  if (semantics == Semantics::kUpstream) return std::make_unique<upstream::System>();
  return std::make_unique<v2::System>();
}

class Differential {
 public:
  explicit Differential(const DifferentialOptions& options)
      : options_(options), upstream_(options.semantics == Semantics::kUpstream),
        spec_(make_spec(options.semantics)), model_(make_model(options.semantics)),
        // The counterexample's expectations are the spec's answers, so the spec binds
        // a link name when its link_attach succeeds and the model is given the spec's
        // answered step: both then bind what the written file binds.
        spec_session_(*spec_, options.initial_revision, options.semantics,
                      NameBinding::kFromResult),
        model_session_(*model_, options.initial_revision, options.semantics) {
    result_.counterexample.name = "differential counterexample";
    result_.counterexample.semantics = options.semantics;
    if (options.initial_revision != 1) {
      result_.counterexample.initial_revision = options.initial_revision;
    }
    model_before_ = observe(*model_, 0, 0);
  }

  DifferentialResult run(const std::vector<Action>& actions) {
    for (const Action& action : actions) {
      for (const Step& step : resolve(action)) {
        if (!execute(step)) return std::move(result_);
      }
    }
    return std::move(result_);
  }

 private:
  std::vector<std::string> open_progs() const {
    std::vector<std::string> out;
    for (const auto& name : spec_session_.prog_names()) {
      if (!spec_session_.prog_closed(name)) out.push_back(name);
    }
    return out;
  }
  std::vector<std::string> open_links() const {
    std::vector<std::string> out;
    for (const auto& name : spec_session_.link_names()) {
      if (!spec_session_.link_closed(name)) out.push_back(name);
    }
    return out;
  }

  Relative relative_of(const Action& a) const {
    Relative r;
    const auto progs = spec_session_.prog_names();
    const auto links = spec_session_.link_names();
    switch (a.relative % 4) {
      case 1:
        if (progs.empty()) return r;
        r.kind = Relative::Kind::kProg;
        r.name = progs[a.relative_pick % progs.size()];
        break;
      case 2:
        if (links.empty()) return r;
        r.kind = Relative::Kind::kLink;
        r.name = links[a.relative_pick % links.size()];
        break;
      case 3:
        r.kind = a.relative_pick % 2 ? Relative::Kind::kLink : Relative::Kind::kProg;
        r.raw = kRawObjects[(a.relative_pick / 2) % kRawObjects.size()];
        break;
      default:
        return r;
    }
    r.by_id = a.by_id;
    return r;
  }

  u64 expected_revision_of(const Action& a) const {
    const u64 current = model_before_.query.written ? model_before_.query.revision : 1;
    if (upstream_) {
      // A 64-bit revision on both sides: near values stay untruncated.
      switch (a.revision % 5) {
        case 1: return current;
        case 2: return current - 1;
        case 3: return current + 1;
        case 4: return 0x80000000ULL;
        default: return 0;
      }
    }
    switch (a.revision % 5) {
      case 1: return current;
      case 2: return static_cast<u32>(current - 1);
      case 3: return static_cast<u32>(current + 1);
      case 4: return 0x80000000ULL;
      default: return 0;
    }
  }

  std::vector<std::string> flags_of(const Action& a) const {
    // Upstream has no FIRST/LAST: those bits of the action pick nothing.
    const u32 flags = upstream_ ? a.flags & ~(kFlagFirst | kFlagLast) : a.flags;
    std::vector<std::string> out;
    for (std::size_t i = 0; i < kFlagNames.size(); i++) {
      if (flags & (1U << i)) out.emplace_back(kFlagNames[i]);
    }
    return out;
  }

  std::string new_prog_name() { return "P" + std::to_string(++progs_loaded_); }

  std::vector<Step> resolve(const Action& a) {
    std::vector<Step> out;
    Step s;
    const auto progs = spec_session_.prog_names();
    const auto open = open_progs();
    const auto links = spec_session_.link_names();
    switch (a.kind) {
      case ActionKind::kLoad:
        if (progs_loaded_ >= kProgsMax) break;
        s.op = StepOp::kLoad;
        s.prog = new_prog_name();
        s.prog_type = a.prog % 8 == 7 ? "xdp" : "tcx";
        out.push_back(s);
        break;
      case ActionKind::kAttach:
      case ActionKind::kLinkAttach:
        if (open.empty()) break;
        if (a.kind == ActionKind::kLinkAttach) {
          if (link_attempts_ >= kLinksMax) break;
          s.op = StepOp::kLinkAttach;
          // A fresh name per attempt: a failed attempt's name is never bound again, so
          // the steps stay a valid file with their expectations removed (shrinking).
          s.link = "L" + std::to_string(link_attempts_ + 1);
        } else {
          s.op = StepOp::kAttach;
        }
        s.prog = open[a.prog % open.size()];
        s.flags = flags_of(a);
        s.relative = relative_of(a);
        s.expected_revision = expected_revision_of(a);
        // Upstream REPLACE names its program in replace_bpf_fd; sometimes leave it out
        // (fd 0) to reach the lookup error.
        if (upstream_ && s.op == StepOp::kAttach && (a.flags & kFlagReplace) &&
            a.other % 5 != 0) {
          s.replace = progs[a.other % progs.size()];
        }
        out.push_back(s);
        break;
      case ActionKind::kDetach:
        s.op = StepOp::kDetach;
        if (upstream_) {
          // Upstream names a victim by position alone in many ways (front, back,
          // next to a relative): leave the program out a quarter of the time.
          if (!progs.empty() && a.prog % 4 != 0) s.prog = progs[(a.prog / 4) % progs.size()];
        } else if (!progs.empty() && a.prog % (progs.size() + 1) != progs.size()) {
          s.prog = progs[a.prog % (progs.size() + 1)];
        }
        s.flags = flags_of(a);
        s.relative = relative_of(a);
        s.expected_revision = expected_revision_of(a);
        out.push_back(s);
        break;
      case ActionKind::kLinkUpdate:
        if (links.empty() || open.empty()) break;
        s.op = StepOp::kLinkUpdate;
        s.link = links[a.other % links.size()];
        s.prog = open[a.prog % open.size()];
        if (a.relative_pick % 3 != 0) s.old_prog = progs[a.relative_pick % progs.size()];
        out.push_back(s);
        break;
      case ActionKind::kLinkDetach:
        if (links.empty()) break;
        s.op = StepOp::kLinkDetach;
        s.link = links[a.other % links.size()];
        out.push_back(s);
        break;
      case ActionKind::kProgClose:
        if (open.empty()) break;
        s.op = StepOp::kProgClose;
        s.prog = open[a.prog % open.size()];
        out.push_back(s);
        break;
      case ActionKind::kLinkClose: {
        const auto open_l = open_links();
        if (open_l.empty()) break;
        s.op = StepOp::kLinkClose;
        s.link = open_l[a.other % open_l.size()];
        out.push_back(s);
        break;
      }
      case ActionKind::kQuery: {
        constexpr std::array<std::optional<u32>, 4> kBuffers = {std::nullopt, 0U, 1U, 2U};
        s.op = StepOp::kQuery;
        s.buffer = kBuffers[a.count % kBuffers.size()];
        out.push_back(s);
        break;
      }
      case ActionKind::kRun:
        s.op = StepOp::kRun;
        out.push_back(s);
        break;
      case ActionKind::kMiniqInc:
        s.op = StepOp::kMiniqInc;
        out.push_back(s);
        break;
      case ActionKind::kMiniqDec:
        if (spec_->miniq_holds() == 0) break;
        s.op = StepOp::kMiniqDec;
        out.push_back(s);
        break;
      case ActionKind::kAttachMany:
        // Each load is resolved now; the attaches name the programs just loaded.
        // Upstream fills the array in one batch a quarter of the time: the limit shows
        // on attach and on detach (the back of a full array is out of range).
        for (u32 k = 0, n = upstream_ && a.count % 4 == 0 ? 63 : 1 + a.count % 64;
             k < n && progs_loaded_ < kProgsMax; k++) {
          Step load;
          load.op = StepOp::kLoad;
          load.prog = new_prog_name();
          Step attach;
          attach.op = StepOp::kAttach;
          attach.prog = load.prog;
          // Upstream: prepend or append the whole batch sometimes, so that a BEFORE
          // meets a full array (the bug "Fix maximum program check" fixed).
          if (upstream_ && (a.flags & kFlagBefore)) {
            attach.flags = {"BEFORE"};
          } else if (upstream_ && (a.flags & kFlagAfter)) {
            attach.flags = {"AFTER"};
          }
          out.push_back(load);
          out.push_back(attach);
        }
        break;
    }
    return out;
  }

  StepFacts facts_of(const Step& step, const StepReport& report) const {
    StepFacts f;
    switch (step.op) {
      case StepOp::kAttach: f.kind = StepFacts::Kind::kAttach; break;
      case StepOp::kDetach: f.kind = StepFacts::Kind::kDetach; break;
      case StepOp::kLinkAttach: f.kind = StepFacts::Kind::kLinkCreate; break;
      case StepOp::kLinkUpdate: f.kind = StepFacts::Kind::kLinkUpdate; break;
      default: return f;
    }
    f.ret = errno_from_name(report.observed.expect.value_or("OK")).value_or(-1);
    f.expected_revision = step.expected_revision;
    f.semantics = options_.semantics;
    return f;
  }

  // Runs one step on both sides; false (with result_ filled) on the first failure.
  bool execute(const Step& step) {
    if (step.op == StepOp::kLinkAttach) link_attempts_++;
    StepReport spec_report, model_report;
    try {
      spec_report = spec_session_.step(step);
      model_report = model_session_.step(spec_report.observed);
    } catch (const ScenarioError& e) {
      return fail(std::string("internal bug: the generator made a bad step: ") + e.what());
    }
    result_.counterexample.steps.push_back(spec_report.observed);
    const Observation model_after = observe(*model_, progs_loaded_, link_attempts_);
    // The observation's own query and pass may be what walks past the array.
    if (model_->out_of_bounds().size() > out_of_bounds_seen_) {
      return fail("out-of-bounds after " + std::string(step_op_name(step.op)) + ": " +
                  model_->out_of_bounds()[out_of_bounds_seen_] +
                  " (the kernel would access memory past the array)");
    }
    if (!model_report.warnings.empty()) return fail(model_report.warnings.front());
    if (options_.check_spec) {
      if (spec_report.line != model_report.line) {
        return fail(std::string("model and spec differ on ") + step_op_name(step.op) + ":\n  model: " +
                    model_report.line + "\n  spec:  " + spec_report.line);
      }
      const Observation spec_after = observe(*spec_, progs_loaded_, link_attempts_);
      if (!(spec_after == model_after)) {
        return fail("state differs after " + std::string(step_op_name(step.op)) +
                    ":\n  model: " + describe(model_after) + "\n  spec:  " + describe(spec_after));
      }
    }
    if (options_.check_invariants) {
      auto violations =
          upstream_ ? check_state(static_cast<const upstream::System&>(*model_), model_after)
                    : check_state(static_cast<const v2::System&>(*model_), model_after);
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
  bool upstream_;
  std::unique_ptr<MprogApi> spec_;
  std::unique_ptr<MprogApi> model_;
  ScenarioSession spec_session_;
  ScenarioSession model_session_;
  Observation model_before_;
  u32 progs_loaded_ = 0;
  u32 link_attempts_ = 0;
  std::size_t out_of_bounds_seen_ = 0;  // none: the first one fails the run
  DifferentialResult result_;
};

}  // namespace

DifferentialResult run_differential(const std::vector<Action>& actions,
                                    const DifferentialOptions& options) {
  return Differential(options).run(actions);
}

}  // namespace mprogsim::properties
