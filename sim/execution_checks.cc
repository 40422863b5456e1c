// SPDX-License-Identifier: GPL-2.0
// The properties every execution is checked for (sim/execution.h lists them):
// how each is decided, and the evidence a violation carries.
#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "common/assert.h"
#include "model/variant_registry.h"
#include "sim/execution_internal.h"
#include "sim/findings.h"
#include "sim/property_names.h"

namespace mprogsim::sim::detail {

// ---- properties ------------------------------------------------------------------

void Execution::violate(std::string property, ThreadId thread, std::string message,
                        std::vector<std::pair<std::string, std::string>> evidence,
                        std::string finding) {
  // Its trace could not be read back otherwise.
  SIM_ASSERT(is_property_name(property), "a property missing from sim/property_names.h");
  if (result_.violation && !options_.collect_outcome) return;
  Violation v;
  v.property = std::move(property);
  v.step = now();
  v.thread = thread;
  v.message = std::move(message);
  v.evidence = std::move(evidence);
  v.finding = std::move(finding);
  if (!v.finding.empty() && options_.allowed_findings &&
      options_.allowed_findings->allows(v.finding)) {
    // The code as mirrored does this on purpose or by design; the run goes on.
    result_.findings.push_back(std::move(v));
    return;
  }
  if (options_.collect_outcome) {
    // Run on: the next violation may be one that another order would meet first.
    result_.violations.push_back(v);
    if (!result_.violation) result_.violation = std::move(v);
    return;
  }
  result_.violation = std::move(v);
  stop_ = true;
}

std::string Execution::where(const void* addr) {
  const Allocation* a = shadow_.find(addr);
  if (!a) return "untracked memory";
  const std::size_t offset = reinterpret_cast<std::uintptr_t>(addr) - a->start;
  if (a->what == "bpf_mprog_bundle" || a->what == "tcx_entry") {
    const std::size_t base = target_->bundle_offset();
    const std::string field = offset >= base ? target_->bundle_field(offset - base) : "";
    if (!field.empty()) return a->name() + "." + field;
  }
  if (a->what == "net_device" && offset == 0) return "dev->tcx_ingress";
  return shadow_.describe(addr);
}

void Execution::check_access(ThreadId t, const Transition& tr) {
  Allocation* a = shadow_.find(tr.addr);
  if (!a || !a->freed) return;
  std::string freer = a->freed_by == kRcuThread
                          ? "an RCU callback at step " + std::to_string(a->freed_at) +
                                " (queued by " + thread_name(a->queued_by) + " at step " +
                                std::to_string(a->queued_at) + ")"
                          : thread_name(a->freed_by) + " at step " + std::to_string(a->freed_at);
  const std::string what =
      tr.kind == StepKind::kFree ? "kfree (double free)" : access_name(tr.access);
  violate("use-after-free", t,
          thread_name(t) + " " + what + " of " + where(tr.addr) + ", freed by " + freer,
          {{"access", what},
           {"location", where(tr.addr)},
           {"object", a->name()},
           {"freed_by", a->freed_by == kRcuThread ? "rcu" : thread_name(a->freed_by)},
           {"freed_at_step", std::to_string(a->freed_at)},
           {"queued_by", a->queued_by == kNoThread ? "" : thread_name(a->queued_by)},
           {"queued_at_step", a->queued_by == kNoThread ? "" : std::to_string(a->queued_at)}});
}

void Execution::check_control_step(std::size_t k, const Step& step, const StepReport& report) {
  if (stop_) return;
  const std::uint64_t n = k + 1;
  if (step.op != StepOp::kRefs && report.line != reference_.spec_lines[k]) {
    violate("spec", kControlThread, "step " + std::to_string(n) + " differs from the spec",
            {{"model", report.line}, {"spec", reference_.spec_lines[k]}});
    return;
  }
  if (step.op != StepOp::kRefs && !report.mismatches.empty()) {
    violate("spec", kControlThread,
            "step " + std::to_string(n) +
                " missed the file's expectation: " + report.mismatches.front(),
            {{"model", report.line}});
    return;
  }
  // Revision rules.
  const std::optional<u64> after = target_->revision();
  if (after && *after == 0) {
    violate("revision", kControlThread, "step " + std::to_string(n) + " left revision 0",
            {{"step", report.line}});
    return;
  }
  const bool ok = report.observed.expect.value_or("OK") == "OK";
  const bool changed = reference_.committed[n] != reference_.committed[n - 1];
  if (revision_before_ && after && target_->published_bundle()) {
    const u64 before = *revision_before_;
    const u64 next = target_->next_revision(before);
    std::string broken;
    if (!ok && *after != before) broken = "a failed step moved the revision";
    if (ok && changed && *after != next)
      broken = "a committed change did not move the revision by one";
    if (ok && *after != before && *after != next) broken = "the revision moved by more than one";
    if (!broken.empty()) {
      violate("revision", kControlThread, "step " + std::to_string(n) + ": " + broken,
              {{"step", report.line},
               {"before", std::to_string(before)},
               {"after", std::to_string(*after)}});
    }
  }
}

// State j is current from step j's linearization point (its first write of the
// published pointer, or of a slot of the published entry) to the next step's.
// The pass may have seen state j if, in some execution equivalent to this one
// (the same steps, every conflicting pair in the same order), state j was current
// at some moment between the pass's first load of the published pointer and its
// last step. That is decided by happens-before alone, never by where this schedule
// happened to put steps that conflict with nothing the reader does (otherwise
// equivalent executions would get different verdicts, and no reduced search could
// be complete):
//   - step j's linearization point happens before the pass's last step (a pass can
//     only read what a step wrote if that step happens before it; state 0 and
//     steps published before the first choice need nothing), and
//   - the next linearization point does not happen before the pass's first load.
// A step that writes nothing a reader reads has no linearization point: its state
// is the previous one's (a step that changed the list without writing anything a
// reader reads would be a finding of its own).
void Execution::check_snapshot(const PassToJudge& p) {
  if (stop_) return;
  const std::size_t n = workload_.scenario.steps.size();
  std::vector<std::size_t> allowed;
  for (std::size_t j = 0; j <= n; j++) {
    if (j > 0 && (j > ops_begun_ || !op_published_c_[j] || op_published_c_[j] - 1 > p.end_c))
      continue;
    bool over = false;
    for (std::size_t k = j + 1; k <= ops_begun_ && k <= n; k++) {
      if (op_published_c_[k]) {
        over = op_published_c_[k] - 1 <= p.load_c;
        break;
      }
    }
    if (over) continue;
    allowed.push_back(j);
    if (reference_.committed[j] == p.ran) return;
  }
  std::vector<std::vector<u32>> window;
  for (std::size_t j : allowed) window.push_back(reference_.committed[j]);
  std::string lists;
  for (std::size_t j : allowed) {
    lists += (lists.empty() ? "" : ", ") + std::string("after control step ") + std::to_string(j) +
             ": " + list_text(reference_.committed[j]);
  }
  violate("snapshot", p.reader,
          thread_name(p.reader) + " pass " + std::to_string(p.pass) + " saw " + list_text(p.ran) +
              ", which no committed state current during the pass had",
          {{"saw", list_text(p.ran)},
           {"pass", std::to_string(p.pass)},
           {"pass_steps", std::to_string(p.start) + ".." + std::to_string(p.end)},
           {"committed", lists}},
          classify_snapshot(workload_.scenario.semantics, p.ran, window));
}

void Execution::check_quiescence() {
  // The static keys have no reader: only their final count can be wrong.
  const StaticKeys keys = target_->api().static_keys();
  if (!(keys == reference_.keys)) {
    auto text = [](const StaticKeys& k) {
      return std::to_string(k.tcx_needed_key) + "/" + std::to_string(k.ingress_queue);
    };
    violate("static-keys", kNoThread,
            "the static keys (tcx_needed_key/ingress_queue) are " + text(keys) + ", the spec's " +
                text(reference_.keys),
            {{"model", text(keys)}, {"spec", text(reference_.keys)}});
    return;
  }
  BpfObjects& objects = target_->objects();
  const auto attached = target_->attached_without_link();
  u64 total = 0;
  auto alloc_of = [&](const void* object) { return shadow_.find(object); };
  for (u32 i = 0; i < objects.prog_count(); i++) {
    const bpf_prog* prog = objects.prog_at(i);
    u64 expected = objects.fd_refs(prog);
    expected += static_cast<u64>(std::count(attached.begin(), attached.end(), prog));
    for (u32 l = 0; l < objects.link_count(); l++) {
      const bpf_link* link = objects.link_at(l);
      if (link->refcnt > 0 && link->prog == prog) expected++;
    }
    const auto refcnt = static_cast<u64>(prog->aux->refcnt);
    total += refcnt;
    const Allocation* a = alloc_of(prog);
    const bool freed = a && a->freed;
    const std::string name = "P" + std::to_string(prog->model_id);
    if (refcnt != expected) {
      violate("refs", kNoThread,
              name + " holds " + std::to_string(refcnt) + " references but has " +
                  std::to_string(expected) + " owners",
              {{"object", name},
               {"refcnt", std::to_string(refcnt)},
               {"owners", std::to_string(expected)}});
      return;
    }
    if (refcnt == 0 && !freed) {
      violate("leak", kNoThread, name + " has no references left but was never freed");
      return;
    }
    if (refcnt > 0 && freed) {
      violate("use-after-free", kNoThread,
              name + " was freed while " + std::to_string(refcnt) + " references remain");
      return;
    }
  }
  for (u32 l = 0; l < objects.link_count(); l++) {
    const bpf_link* link = objects.link_at(l);
    total += static_cast<u64>(link->refcnt);
    const u64 expected = objects.fd_refs(link);
    const std::string name = "L" + std::to_string(link->model_id);
    if (static_cast<u64>(link->refcnt) != expected) {
      violate("refs", kNoThread,
              name + " holds " + std::to_string(link->refcnt) + " references but has " +
                  std::to_string(expected) + " owners");
      return;
    }
  }
  if (objects.refs_taken() - objects.refs_dropped() != total) {
    violate("refs", kNoThread,
            "references taken minus dropped is " +
                std::to_string(objects.refs_taken() - objects.refs_dropped()) +
                " but objects hold " + std::to_string(total));
    return;
  }
  const void* published = target_->published_bundle();
  for (const Allocation& a : shadow_.all()) {
    // v2 allocates the bundle; upstream the tcx_entry that starts with it.
    const bool entry = a.what == "bpf_mprog_bundle" || a.what == "tcx_entry";
    const auto p = reinterpret_cast<std::uintptr_t>(published);
    if (entry && !a.freed && !(p >= a.start && p < a.start + a.size)) {
      violate("leak", kNoThread, a.name() + " is neither published nor freed");
      return;
    }
  }
}

std::string violation_key(const Violation& v) {
  // Step numbers differ between equivalent executions; the rest does not.
  std::string key =
      "violation " + v.property + " on " + (v.thread == kNoThread ? "-" : thread_name(v.thread));
  if (v.evidence.empty()) return key + ": " + v.message;
  for (const auto& [name, value] : v.evidence) {
    const bool step = name.ends_with("_step") || name.ends_with("_steps");
    if (!step) key += " " + name + "=" + value;
  }
  return key;
}

}  // namespace mprogsim::sim::detail

namespace mprogsim::sim {

std::string outcome_of(const ExecutionResult& result) {
  std::string out;
  for (const std::string& line : result.observations) out += line + "\n";
  return out;
}

}  // namespace mprogsim::sim
