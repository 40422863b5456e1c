// SPDX-License-Identifier: GPL-2.0
#include "sim/enumerate.h"

#include <algorithm>
#include <array>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <stdexcept>
#include <unordered_map>

#include "model/variant_registry.h"
#include "scenario/scenario_runner.h"

namespace mprogsim::sim {
namespace {

constexpr AlphabetLetter kLetters[] = {
    {"attach", "attach a program (no flags: at the end)"},
    {"attach-before", "attach a program with BEFORE and no relative (in front)"},
    {"attach-after", "attach a program with AFTER and no relative (at the end)"},
    {"attach-before-prog", "attach a program BEFORE each attached program"},
    {"attach-after-prog", "attach a program AFTER each attached program"},
    {"attach-first", "attach a program with FIRST (v2 only)", true},
    {"attach-last", "attach a program with LAST (v2 only)", true},
    {"replace", "attach a program with REPLACE of each program attached without a link"},
    {"detach", "detach each program attached without a link, by its fd"},
    {"detach-head", "detach the first program by position (v2: FIRST; upstream: BEFORE)"},
    {"detach-tail", "detach the last program by position (v2: LAST; upstream: no flag)"},
    {"link-attach", "create a link with a program (no flags: at the end)"},
    {"link-attach-before", "create a link with BEFORE and no relative (in front)"},
    {"link-update", "update each attached link to a program"},
    {"link-detach", "detach each attached link"},
    {"prog-close", "close each open program fd"},
    {"link-close", "close each open link fd (releases the link)"},
    {"miniq-inc", "the qdisc takes a hold on the entry (at most two outstanding)"},
    {"miniq-dec", "the qdisc drops a hold it took"},
    // Shapes that change nothing the datapath sees beyond what the letters above do
    // (or only fail): not in the default alphabet, for the sequential corners.
    {"attach-before-link", "attach a program BEFORE each attached link", false, false},
    {"attach-after-link", "attach a program AFTER each attached link", false, false},
    {"attach-expected-revision",
     "attach a program with expected_revision the current revision, and a stale one", false, false},
    {"detach-before-prog", "detach (no program) BEFORE each attached program", false, false},
    {"detach-after-prog", "detach (no program) AFTER each attached program", false, false},
    {"link-attach-after", "create a link with AFTER and no relative (at the end)", false, false},
    {"query", "query the attach point (reads only)", false, false},
};

constexpr std::uint32_t kMaxHolds = 2;

Step make_step(StepOp op) {
  Step s;
  s.op = op;
  return s;
}

std::string program_name(std::uint32_t i) { return "P" + std::to_string(i + 1); }

}  // namespace

std::span<const AlphabetLetter> alphabet_letters() { return kLetters; }

std::optional<std::vector<std::string>> parse_alphabet(std::string_view text, Semantics semantics,
                                                       std::string* error) {
  const VariantInfo& variant = variant_info(semantics);
  std::vector<std::string> out;
  if (text.empty()) {
    for (const AlphabetLetter& l : kLetters) {
      if (l.in_default && (!l.first_last || variant.first_last)) out.emplace_back(l.name);
    }
    return out;
  }
  std::size_t at = 0;
  while (at <= text.size()) {
    const std::size_t comma = std::min(text.find(',', at), text.size());
    const std::string_view name = text.substr(at, comma - at);
    const auto it = std::find_if(std::begin(kLetters), std::end(kLetters),
                                 [&](const AlphabetLetter& l) { return l.name == name; });
    if (it == std::end(kLetters)) {
      std::string names;
      for (const AlphabetLetter& l : kLetters)
        names += (names.empty() ? "" : ",") + std::string(l.name);
      *error = "unknown alphabet letter '" + std::string(name) + "' (letters: " + names + ")";
      return std::nullopt;
    }
    if (it->first_last && !variant.first_last) {
      std::string names;
      for (const VariantInfo& other : all_variants()) {
        if (other.first_last) names += (names.empty() ? "" : " and ") + std::string(other.name);
      }
      *error =
          "alphabet letter '" + std::string(name) + "' exists only in " + names + " (FIRST/LAST)";
      return std::nullopt;
    }
    if (std::find(out.begin(), out.end(), name) == out.end()) out.emplace_back(name);
    at = comma + 1;
  }
  return out;
}

// Builds an Enumeration: the reader-free prefixes breadth-first, merged by state,
// then, level by level, every raced sequence from each prefix's state.
class EnumerationBuilder {
 public:
  explicit EnumerationBuilder(Enumeration& e) : e_(e) {
    for (const std::string& name : e_.options_.alphabet) letters_.insert(name);
    if (letters_.empty()) {
      std::string ignored;
      const auto all = parse_alphabet("", e_.options_.semantics, &ignored);
      letters_.insert(all->begin(), all->end());
    }
  }

  void build() {
    const EnumerateOptions& o = e_.options_;
    const std::uint32_t free_ops =
        o.start_readers_after > o.progs ? std::min(o.start_readers_after - o.progs, o.ops) : 0;
    // Prefixes, breadth-first; a state already reached is not extended again.
    std::vector<std::vector<std::uint32_t>> prefixes;
    std::set<std::string> seen;
    std::vector<std::vector<std::uint32_t>> frontier = {{}};
    for (std::uint32_t depth = 0; !frontier.empty(); depth++) {
      std::vector<std::vector<std::uint32_t>> next;
      for (const auto& p : frontier) {
        e_.prefix_sequences_++;
        std::unique_ptr<Run> run = replay(p);
        if (!seen.insert(key(*run)).second) continue;
        prefixes.push_back(p);
        if (depth == free_ops) continue;
        for (std::uint32_t op : alphabet(*run)) {
          auto child = p;
          child.push_back(op);
          next.push_back(std::move(child));
        }
      }
      frontier = std::move(next);
    }
    e_.prefix_states_ = prefixes.size();
    e_.prefix_ops_ = free_ops;
    // Raced sequences, by length.
    std::vector<std::vector<Enumeration::Sequence>> level(prefixes.size());
    for (std::size_t i = 0; i < prefixes.size(); i++) level[i].push_back({prefixes[i], {}});
    for (std::uint32_t length = 0;; length++) {
      bool any = false;
      for (const auto& sequences : level) {
        for (const auto& s : sequences) {
          e_.workloads_.push_back(s);
          any = true;
        }
      }
      if (!any) break;
      e_.level_ends_.push_back(e_.workloads_.size());
      if (length == o.ops - free_ops) break;
      std::uint64_t pending = 0;
      for (auto& sequences : level) {
        std::vector<Enumeration::Sequence> longer;
        for (const auto& s : sequences) {
          std::vector<std::uint32_t> all = s.prefix;
          all.insert(all.end(), s.raced.begin(), s.raced.end());
          std::unique_ptr<Run> run = replay(all);
          for (std::uint32_t op : alphabet(*run)) {
            Enumeration::Sequence child = s;
            child.raced.push_back(op);
            longer.push_back(std::move(child));
            if (e_.workloads_.size() + ++pending > o.max_workloads) {
              throw std::length_error("the enumeration has more than " +
                                      std::to_string(o.max_workloads) +
                                      " workloads: lower --ops or --progs, or restrict --alphabet");
            }
          }
        }
        sequences = std::move(longer);
      }
    }
  }

 private:
  // The spec (for the alphabet: what is attached, open, linked) and the model with
  // the mutant (for the merge key) after the loads and some operations.
  struct Run {
    std::unique_ptr<MprogApi> spec;
    std::unique_ptr<MprogApi> model;
    std::unique_ptr<ScenarioSession> spec_session;
    std::unique_ptr<ScenarioSession> model_session;
    std::set<std::string> named;  // programs some operation has named
    std::uint32_t holds = 0;
    std::uint32_t link_attempts = 0;  // each link_attach gets a fresh name
    std::set<std::string> links;      // links created (a failed attempt names none)
  };

  void apply(Run& run, const Step& step) {
    const StepReport report = run.spec_session->step(step);
    if (step.op == StepOp::kLinkAttach && report.observed.expect.value_or("OK") == "OK") {
      run.links.insert(*step.link);
    }
    run.model_session->step(step);
    if (step.prog) run.named.insert(*step.prog);
    if (step.replace) run.named.insert(*step.replace);
    if (step.relative.name) run.named.insert(*step.relative.name);
    if (step.op == StepOp::kLinkAttach) run.link_attempts++;
    if (step.op == StepOp::kMiniqInc) run.holds++;
    if (step.op == StepOp::kMiniqDec) run.holds--;
  }

  std::unique_ptr<Run> replay(const std::vector<std::uint32_t>& ops) {
    const EnumerateOptions& o = e_.options_;
    auto run = std::make_unique<Run>();
    run->spec = make_spec(o.semantics);
    run->spec_session = std::make_unique<ScenarioSession>(*run->spec, std::nullopt, o.semantics);
    run->model = make_system(o.semantics, o.mutant);  // the mutant belongs to the model
    run->model_session = std::make_unique<ScenarioSession>(*run->model, std::nullopt, o.semantics);
    for (std::uint32_t i = 0; i < o.progs; i++) {
      Step load = make_step(StepOp::kLoad);
      load.prog = program_name(i);
      run->spec_session->step(load);
      run->model_session->step(load);
    }
    for (std::uint32_t op : ops) apply(*run, e_.steps_[op]);
    return run;
  }

  // Everything the future of a run depends on (enumerate.h, "Merging").
  std::string key(Run& run) {
    Step query = make_step(StepOp::kQuery);
    Step pass = make_step(StepOp::kRun);
    Step refs = make_step(StepOp::kRefs);
    refs.expect_refs.emplace();
    const auto progs = run.spec_session->prog_names();
    const auto links = run.spec_session->link_names();
    for (const auto& n : progs) (*refs.expect_refs)[n] = 0;
    for (const auto& n : links) (*refs.expect_refs)[n] = 0;
    std::string out;
    // The answers without the "step N: " prefix (sequences of other lengths merge).
    auto observe = [&](ScenarioSession& session) {
      for (const Step& s : {query, pass, refs}) {
        const std::string line = session.step(s).line;
        const auto colon = line.find(": ");
        out += (colon == std::string::npos ? line : line.substr(colon + 2)) + "\n";
      }
    };
    observe(*run.spec_session);
    observe(*run.model_session);
    out += variant_info(e_.options_.semantics).datapath_memory(*run.model) + "\n";
    for (const auto& n : progs)
      out += n + (run.spec_session->prog_closed(n) ? " closed" : " open") +
             (run.named.count(n) ? " named\n" : "\n");
    for (const auto& n : links)
      out += n + (run.spec_session->link_closed(n) ? " closed\n" : " open\n");
    out += "holds=" + std::to_string(run.holds);
    return out;
  }

  std::uint32_t intern(const Step& step) {
    std::string id = write_scenario(Scenario{"", e_.options_.semantics, std::nullopt, {step}});
    auto it = ids_.find(id);
    if (it != ids_.end()) return it->second;
    const auto index = static_cast<std::uint32_t>(e_.steps_.size());
    e_.steps_.push_back(step);
    ids_.emplace(std::move(id), index);
    return index;
  }

  bool has(std::string_view letter) const { return letters_.count(std::string(letter)) > 0; }

  // What a state offers the alphabet to name, read from the spec once per state.
  struct Objects {
    std::vector<std::string> attached;                   // the list, in order
    std::vector<std::optional<std::string>> slot_links;  // per slot: its link, if any
    // Open programs not attached; of the never-named ones only the first (they are
    // interchangeable: enumerate.h, "Symmetry").
    std::vector<std::string> attachable;
    std::vector<std::string> open_progs;      // the same symmetry, attached or not
    std::vector<std::string> by_prog;         // attached without a link
    std::vector<std::string> attached_links;  // attached links whose fd is open
  };

  Objects objects_of(Run& run) const {
    const EnumerateOptions& o = e_.options_;
    ScenarioSession& spec = *run.spec_session;
    Objects x;
    const StepReport q = spec.step(make_step(StepOp::kQuery));
    if (q.observed.expect_progs) x.attached = *q.observed.expect_progs;
    if (q.observed.expect_links) x.slot_links = *q.observed.expect_links;
    x.slot_links.resize(x.attached.size());
    bool fresh_taken = false;
    for (std::uint32_t i = 0; i < o.progs; i++) {
      const std::string p = program_name(i);
      if (spec.prog_closed(p)) continue;
      const bool fresh = !run.named.count(p);
      if (fresh && fresh_taken) continue;
      fresh_taken = fresh_taken || fresh;
      x.open_progs.push_back(p);
      if (std::find(x.attached.begin(), x.attached.end(), p) == x.attached.end()) {
        x.attachable.push_back(p);
      }
    }
    for (std::size_t i = 0; i < x.attached.size(); i++) {
      if (!x.slot_links[i]) x.by_prog.push_back(x.attached[i]);
    }
    for (const auto& l : x.slot_links) {
      if (l && !spec.link_closed(*l)) x.attached_links.push_back(*l);
    }
    return x;
  }

  // A relative program, by id once its fd is closed (the only way left to name it).
  static Relative relative_prog(ScenarioSession& spec, const std::string& p) {
    Relative r;
    r.kind = Relative::Kind::kProg;
    r.name = p;
    r.by_id = spec.prog_closed(p);
    return r;
  }

  void add(std::vector<std::uint32_t>& out, const Step& s) { out.push_back(intern(s)); }

  // Attaching program `s.prog` without a relative: plain, then each position flag.
  void add_plain_attaches(std::vector<std::uint32_t>& out, const Step& s) {
    if (has("attach")) add(out, s);
    for (const auto& [letter, flag] : {std::pair{"attach-before", "BEFORE"},
                                       {"attach-after", "AFTER"},
                                       {"attach-first", "FIRST"},
                                       {"attach-last", "LAST"}}) {
      if (!has(letter)) continue;
      Step f = s;
      f.flags = {flag};
      add(out, f);
    }
  }

  // Attaching `s.prog` BEFORE or AFTER each attached program, then each link.
  void add_relative_attaches(std::vector<std::uint32_t>& out, ScenarioSession& spec,
                             const Objects& x, const Step& s) {
    for (const auto& [letter, flag] :
         {std::pair{"attach-before-prog", "BEFORE"}, {"attach-after-prog", "AFTER"}}) {
      if (!has(letter)) continue;
      for (const std::string& r : x.attached) {
        Step f = s;
        f.flags = {flag};
        f.relative = relative_prog(spec, r);
        add(out, f);
      }
    }
    for (const auto& [letter, flag] :
         {std::pair{"attach-before-link", "BEFORE"}, {"attach-after-link", "AFTER"}}) {
      if (!has(letter)) continue;
      for (const auto& l : x.slot_links) {
        if (!l) continue;
        Step f = s;
        f.flags = {flag};
        f.relative.kind = Relative::Kind::kLink;
        f.relative.name = *l;
        f.relative.by_id = spec.link_closed(*l);
        add(out, f);
      }
    }
  }

  // Attaching `s.prog` with the current expected revision (accepted) and the next
  // one (stale: ESTALE).
  void add_revision_attaches(std::vector<std::uint32_t>& out, ScenarioSession& spec,
                             const Step& s) {
    if (!has("attach-expected-revision")) return;
    const StepReport r = spec.step(make_step(StepOp::kQuery));
    const u64 current = r.observed.expect_revision.value_or(1);
    for (u64 revision : {current, current + 1}) {
      Step f = s;
      f.expected_revision = revision;
      add(out, f);
    }
  }

  // Attaching `s.prog` in place of each program attached without a link.
  void add_replaces(std::vector<std::uint32_t>& out, ScenarioSession& spec, const Objects& x,
                    const Step& s) {
    if (!has("replace")) return;
    const VariantInfo& variant = variant_info(e_.options_.semantics);
    for (const std::string& r : x.by_prog) {
      Step f = s;
      if (!spec.prog_closed(r)) {
        f.replace = r;
      } else if (!variant.replace_field) {  // v2 names the replaced program as the relative, by id
        f.flags = {"REPLACE"};
        f.relative = relative_prog(spec, r);
      } else {
        continue;  // upstream's replace_bpf_fd needs an open fd
      }
      add(out, f);
    }
  }

  // Detaching by fd, by position (the variant's flag for the head or the tail), and
  // without a program BEFORE or AFTER each attached one.
  void add_detaches(std::vector<std::uint32_t>& out, ScenarioSession& spec, const Objects& x) {
    const VariantInfo& variant = variant_info(e_.options_.semantics);
    if (has("detach")) {
      for (const std::string& p : x.by_prog) {
        if (spec.prog_closed(p)) continue;
        Step s = make_step(StepOp::kDetach);
        s.prog = p;
        add(out, s);
      }
    }
    for (const auto& [letter, v2_flag, upstream_flag] :
         {std::tuple{"detach-head", "FIRST", "BEFORE"}, {"detach-tail", "LAST", ""}}) {
      if (!has(letter)) continue;
      Step s = make_step(StepOp::kDetach);
      const std::string flag = variant.first_last ? v2_flag : upstream_flag;
      if (!flag.empty()) s.flags = {flag};
      add(out, s);
    }
    for (const auto& [letter, flag] :
         {std::pair{"detach-before-prog", "BEFORE"}, {"detach-after-prog", "AFTER"}}) {
      if (!has(letter)) continue;
      for (const std::string& r : x.attached) {
        Step s = make_step(StepOp::kDetach);
        s.flags = {flag};
        s.relative = relative_prog(spec, r);
        add(out, s);
      }
    }
  }

  // Creating a link with each attachable program (a fresh name per attempt: a failed
  // one binds nothing, docs/semantics.md), updating each attached link to each of
  // them, detaching each attached link.
  void add_link_steps(std::vector<std::uint32_t>& out, const Run& run, const Objects& x) {
    const std::string next_link = "L" + std::to_string(run.link_attempts + 1);
    for (const std::string& p : x.attachable) {
      Step s = make_step(StepOp::kLinkAttach);
      s.link = next_link;
      s.prog = p;
      if (has("link-attach")) add(out, s);
      for (const auto& [letter, flag] :
           {std::pair{"link-attach-before", "BEFORE"}, {"link-attach-after", "AFTER"}}) {
        if (!has(letter)) continue;
        Step f = s;
        f.flags = {flag};
        add(out, f);
      }
    }
    if (has("link-update")) {
      for (const std::string& l : x.attached_links) {
        for (const std::string& p : x.attachable) {
          Step s = make_step(StepOp::kLinkUpdate);
          s.link = l;
          s.prog = p;
          add(out, s);
        }
      }
    }
    if (has("link-detach")) {
      for (const std::string& l : x.attached_links) {
        Step s = make_step(StepOp::kLinkDetach);
        s.link = l;
        add(out, s);
      }
    }
  }

  // Closing each open program and link fd; the qdisc's holds (at most kMaxHolds);
  // the query.
  void add_closes_holds_query(std::vector<std::uint32_t>& out, const Run& run,
                              ScenarioSession& spec, const Objects& x) {
    if (has("prog-close")) {
      for (const std::string& p : x.open_progs) {
        Step s = make_step(StepOp::kProgClose);
        s.prog = p;
        add(out, s);
      }
    }
    if (has("link-close")) {
      for (const std::string& l : run.links) {
        if (spec.link_closed(l)) continue;
        Step s = make_step(StepOp::kLinkClose);
        s.link = l;
        add(out, s);
      }
    }
    if (has("miniq-inc") && run.holds < kMaxHolds) add(out, make_step(StepOp::kMiniqInc));
    if (has("miniq-dec") && run.holds > 0) add(out, make_step(StepOp::kMiniqDec));
    if (has("query")) add(out, make_step(StepOp::kQuery));
  }

  // Every step the alphabet offers on the run's state, in a fixed order: the
  // attaches of each attachable program, detaches, link steps, closes, the qdisc's
  // holds, the query. The order is the enumeration's (and so every workload's
  // number): a change to it renumbers every campaign over enumerated workloads.
  std::vector<std::uint32_t> alphabet(Run& run) {
    ScenarioSession& spec = *run.spec_session;
    const Objects x = objects_of(run);
    std::vector<std::uint32_t> out;
    for (const std::string& p : x.attachable) {
      Step s = make_step(StepOp::kAttach);
      s.prog = p;
      add_plain_attaches(out, s);
      add_relative_attaches(out, spec, x, s);
      add_revision_attaches(out, spec, s);
      add_replaces(out, spec, x, s);
    }
    add_detaches(out, spec, x);
    add_link_steps(out, run, x);
    add_closes_holds_query(out, run, spec, x);
    return out;
  }

  Enumeration& e_;
  std::set<std::string> letters_;
  std::unordered_map<std::string, std::uint32_t> ids_;  // lookups only, never iterated
};

Enumeration::Enumeration(const EnumerateOptions& options) : options_(options) {
  EnumerationBuilder(*this).build();
}

std::uint64_t Enumeration::level_end(std::uint32_t raced) const {
  if (level_ends_.empty()) return 0;
  return level_ends_[std::min<std::size_t>(raced, level_ends_.size() - 1)];
}

std::uint32_t Enumeration::max_raced() const {
  return level_ends_.empty() ? 0 : static_cast<std::uint32_t>(level_ends_.size() - 1);
}

Workload Enumeration::at(std::uint64_t index) const {
  const Sequence& s = workloads_.at(index);
  Workload w;
  w.scenario.name = "enumerated workload " + std::to_string(index + 1);
  w.scenario.semantics = options_.semantics;
  for (std::uint32_t i = 0; i < options_.progs; i++) {
    Step load = make_step(StepOp::kLoad);
    load.prog = program_name(i);
    w.scenario.steps.push_back(load);
  }
  for (std::uint32_t op : s.prefix) w.scenario.steps.push_back(steps_[op]);
  for (std::uint32_t op : s.raced) w.scenario.steps.push_back(steps_[op]);
  w.scenario = with_spec_expectations(w.scenario);
  w.readers = options_.readers;
  w.passes = options_.passes;
  w.mutant = options_.mutant;
  w.start_readers_after = options_.start_readers_after > options_.progs
                              ? options_.progs + static_cast<std::uint32_t>(s.prefix.size())
                              : options_.start_readers_after;
  return w;
}

std::string Enumeration::describe(std::uint64_t index) const {
  const Sequence& s = workloads_.at(index);
  std::ostringstream out;
  auto label = [&](std::uint32_t op) {
    const Step& st = steps_[op];
    std::string t = step_op_name(st.op);
    if (st.link) t += " " + *st.link;
    if (st.prog) t += " " + *st.prog;
    for (const auto& f : st.flags) t += " " + f;
    if (st.relative.name) t += " " + *st.relative.name;
    if (st.replace) t += " REPLACE " + *st.replace;
    return t;
  };
  for (std::uint32_t op : s.prefix) out << label(op) << "; ";
  out << "|";
  for (std::uint32_t op : s.raced) out << " " << label(op) << ";";
  return out.str();
}

}  // namespace mprogsim::sim
