// SPDX-License-Identifier: GPL-2.0
#include "properties/semantic_diff.h"

// GCC 12 reports a false -Wmaybe-uninitialized inside Boost.Graph's edge storage
// (as in sim/interleaving_graph.cc); the code is fine.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <boost/graph/adjacency_list.hpp>
#pragma GCC diagnostic pop

#include <algorithm>
#include <limits>
#include <map>
#include <memory>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "common/rng.h"
#include "properties/diff_alphabet.h"
#include "properties/diff_compare.h"
#include "properties/diff_sides.h"
#include "scenario/scenario_runner.h"

namespace mprogsim::properties {
namespace {

using namespace diff;  // the sides, their views, the alphabet, the comparison (diff_*.h)

// ---- the alphabet ----------------------------------------------------------------

struct Op {
  Step step;
  std::string label;
  std::string shape;     // the label without names: "attach BEFORE prog by id"
  bool v2_only = false;  // names FIRST/LAST
};

bool names_first_last(const Step& s) {
  return std::any_of(s.flags.begin(), s.flags.end(),
                     [](const std::string& f) { return f == "FIRST" || f == "LAST"; });
}

// ---- the state graph ---------------------------------------------------------------

constexpr u32 kNone = std::numeric_limits<u32>::max();

struct VertexProps {
  u32 parent = kNone;  // the vertex it was first reached from
  u32 op = kNone;      // by this operation
  u32 depth = 0;
  // Every step on the way answered the same on both sides. Part of the state's
  // identity, so that the search also finds the shortest sequence on which a kind is
  // the first difference, not only the shortest one overall.
  bool clean = true;
};
struct EdgeProps {
  u32 op = kNone;
};
using Graph =
    boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, VertexProps, EdgeProps>;

// An example of one kind: the operations from the initial state.
struct Candidate {
  std::vector<u32> ops;
  bool from_random = false;
};
// The shortest example of a kind so far, and the shortest whose earlier steps all
// agree (reported when there is one: it shows the kind as a cause, not as the
// consequence of an earlier difference).
struct Best {
  std::optional<Candidate> any;
  std::optional<Candidate> clean;
};

class Search {
 public:
  explicit Search(const SemanticDiffOptions& options)
      : o_(options),
        both_first_last_(variant_info(options.a.semantics).first_last &&
                         variant_info(options.b.semantics).first_last),
        any_first_last_(variant_info(options.a.semantics).first_last ||
                        variant_info(options.b.semantics).first_last) {}

  SemanticDiffResult run() {
    bfs();
    random_search();
    SemanticDiffResult r = std::move(result_);
    r.states = boost::num_vertices(graph_);
    r.edges = boost::num_edges(graph_);
    for (const auto& [key, best] : best_) {
      r.differences.push_back(example(key, best.clean ? *best.clean : *best.any));
    }
    return r;
  }

 private:
  // -- operations --
  u32 intern(const Step& step) {
    std::string label = step_label(step);
    auto it = op_ids_.find(label);
    if (it != op_ids_.end()) return it->second;
    const u32 id = static_cast<u32>(ops_.size());
    ops_.push_back({step, label, step_shape(step), names_first_last(step)});
    op_ids_.emplace(std::move(label), id);
    return id;
  }

  // Every operation the alphabet offers on the pair's current state (diff_alphabet.h),
  // then, if asked, the observations.
  std::vector<u32> alphabet(Pair& pair, bool with_observations) {
    // A hook without an entry has no revision to report (v2): a new bundle will
    // start at the initial one.
    const u64 current = pair.a.step(query_step(0U))
                            .observed.expect_revision.value_or(o_.initial_revision.value_or(1));
    const AlphabetBounds bounds{o_.progs, o_.links, o_.holds, any_first_last_ && !o_.common_only};
    std::vector<u32> out;
    for (const Step& s : alphabet_steps(pair, current, bounds)) out.push_back(intern(s));
    if (with_observations) {
      for (const Step& s : observation_steps(common_prog_names(pair), common_link_names(pair))) {
        out.push_back(intern(s));
      }
    }
    return out;
  }

  // -- running --
  bool expressible_on_both(const Op& op) const { return !op.v2_only || both_first_last_; }

  struct Outcome {
    StepReport a;
    StepReport b;
  };
  Outcome apply(Pair& pair, const Op& op) {
    result_.applied++;
    if (op.step.op == StepOp::kMiniqInc) pair.taken++;
    if (op.step.op == StepOp::kMiniqDec) pair.taken--;
    return {pair.a.step(op.step), pair.b.step(op.step)};
  }

  std::unique_ptr<Pair> replay(const std::vector<u32>& ops) {
    auto pair = std::make_unique<Pair>(o_);
    for (u32 id : ops) {
      const Op& op = ops_[id];
      if (op.step.op == StepOp::kMiniqInc) pair->taken++;
      if (op.step.op == StepOp::kMiniqDec) pair->taken--;
      pair->a.step(op.step);
      pair->b.step(op.step);
    }
    return pair;
  }

  std::vector<u32> path_to(u32 vertex) const {
    std::vector<u32> ops;
    for (u32 v = vertex; graph_[v].parent != kNone; v = graph_[v].parent)
      ops.push_back(graph_[v].op);
    std::reverse(ops.begin(), ops.end());
    return ops;
  }

  // Whether an example of `length` steps would improve what `key` has: the search
  // runs in breadth-first order, so the first example of a length wins.
  bool wanted(const KindKey& key, std::size_t length, bool clean) const {
    auto it = best_.find(key);
    if (it == best_.end() || !it->second.any || it->second.any->ops.size() > length) return true;
    return clean && (!it->second.clean || it->second.clean->ops.size() > length);
  }
  void record(const KindKey& key, std::vector<u32> ops, bool clean, bool from_random) {
    Best& best = best_[key];
    if (!best.any || best.any->ops.size() > ops.size()) best.any = Candidate{ops, from_random};
    if (clean && (!best.clean || best.clean->ops.size() > ops.size())) {
      best.clean = Candidate{std::move(ops), from_random};
    }
  }
  bool known(const KindKey& key) const { return best_.count(key) > 0; }

  // The observation operations at a vertex need no run: the views already hold
  // their answers, so they are compared here (and are self-loops of the graph).
  void compare_observations(u32 vertex, const View& va, const View& vb, const Pair& pair) {
    if (graph_[vertex].depth >= o_.depth) return;
    const auto steps = observation_steps(common_prog_names(pair), common_link_names(pair));
    for (std::size_t i = 0; i < steps.size(); i++) {
      Step answer_a = va.answers[i];
      Step answer_b = vb.answers[i];
      if (steps[i].op == StepOp::kRefs) {
        // Only names bound on both sides can be asked about on both.
        answer_a.expect_refs = restrict_refs(*answer_a.expect_refs, *steps[i].expect_refs);
        answer_b.expect_refs = restrict_refs(*answer_b.expect_refs, *steps[i].expect_refs);
      }
      const u32 op = intern(steps[i]);
      boost::add_edge(vertex, vertex, EdgeProps{op}, graph_);
      const auto fields = differing_fields(answer_a, answer_b, 0, 0);
      for (Field f : fields) {
        const KindKey key = key_of(f, ops_[op]);
        const bool clean = graph_[vertex].clean;
        if (wanted(key, graph_[vertex].depth + 1, clean)) {
          auto ops = path_to(vertex);
          ops.push_back(op);
          record(key, std::move(ops), clean, false);
        }
      }
    }
  }

  static std::map<std::string, u64> restrict_refs(const std::map<std::string, u64>& refs,
                                                  const std::map<std::string, u64>& names) {
    std::map<std::string, u64> out;
    for (const auto& [name, value] : refs) {
      if (names.count(name)) out[name] = value;
    }
    return out;
  }

  KindKey key_of(Field field, const Op& op) const {
    return {field, static_cast<int>(op.step.op), o_.by_shape ? op.shape : std::string()};
  }

  void bfs() {
    auto root = std::make_unique<Pair>(o_);
    {
      const View va = observe(root->a);
      const View vb = observe(root->b);
      boost::add_vertex(VertexProps{}, graph_);
      index_.emplace(pair_key(va, vb, 0, true), 0);
      compare_observations(0, va, vb, *root);
    }
    // Vertices are numbered in the order they are found, so walking the numbers is
    // walking the breadth-first queue.
    result_.exhaustive_depth = o_.depth;
    for (u32 v = 0; v < boost::num_vertices(graph_); v++) {
      const u32 depth = graph_[v].depth;
      if (depth >= o_.depth) {
        result_.bound_reached = true;
        break;
      }
      // Vertices before v (every one of a smaller depth) are expanded: every sequence
      // of at most `depth` steps has been explored.
      if (boost::num_vertices(graph_) >= o_.max_states) {
        result_.state_limit_reached = true;
        result_.exhaustive_depth = depth;
        break;
      }
      const std::vector<u32> prefix = path_to(v);
      const bool clean = graph_[v].clean;
      std::unique_ptr<Pair> pair = replay(prefix);
      const std::vector<u32> ops = alphabet(*pair, false);
      bool fresh = true;
      for (u32 id : ops) {
        const Op& op = ops_[id];
        if (!expressible_on_both(op)) {
          const KindKey key = key_of(kOnlyIn, op);
          if (wanted(key, depth + 1, clean)) {
            auto path = prefix;
            path.push_back(id);
            record(key, std::move(path), clean, false);
          }
          continue;
        }
        if (!fresh) pair = replay(prefix);
        fresh = false;
        const Outcome outcome = apply(*pair, op);
        const auto fields = differing_fields(outcome.a.observed, outcome.b.observed,
                                             misbehaviours(outcome.a), misbehaviours(outcome.b));
        for (Field f : fields) {
          const KindKey key = key_of(f, op);
          if (wanted(key, depth + 1, clean)) {
            auto path = prefix;
            path.push_back(id);
            record(key, std::move(path), clean, false);
          }
        }
        const View va = observe(pair->a);
        const View vb = observe(pair->b);
        const bool child_clean = clean && fields.empty();
        auto [it, added] = index_.emplace(pair_key(va, vb, pair->taken, child_clean),
                                          static_cast<u32>(boost::num_vertices(graph_)));
        if (added) {
          boost::add_vertex(VertexProps{v, id, depth + 1, child_clean}, graph_);
          compare_observations(it->second, va, vb, *pair);
        }
        boost::add_edge(v, it->second, EdgeProps{id}, graph_);
      }
    }
  }

  static std::string pair_key(const View& a, const View& b, unsigned taken, bool clean) {
    return a.key + "\n" + b.key + "\n" + std::to_string(taken) + (clean ? " clean" : "");
  }

  // -- past the bound --
  // The kinds the last operation of `ops` shows, run from fresh systems; nullopt when
  // the sequence is not a valid scenario (a shrink step removed a binding).
  std::optional<std::vector<KindKey>> kinds_of(const std::vector<u32>& ops) {
    try {
      auto pair = replay({ops.begin(), ops.end() - 1});
      const Op& last = ops_[ops.back()];
      const Outcome outcome = apply(*pair, last);
      std::vector<KindKey> out;
      for (Field f : differing_fields(outcome.a.observed, outcome.b.observed,
                                      misbehaviours(outcome.a), misbehaviours(outcome.b))) {
        out.push_back(key_of(f, last));
      }
      return out;
    } catch (const ScenarioError&) {
      return std::nullopt;
    }
  }

  // Drops single steps while the last step still shows `key`.
  std::vector<u32> shrink(std::vector<u32> ops, const KindKey& key) {
    for (bool changed = true; changed;) {
      changed = false;
      for (std::size_t i = 0; i + 1 < ops.size(); i++) {
        std::vector<u32> candidate = ops;
        candidate.erase(candidate.begin() + static_cast<std::ptrdiff_t>(i));
        const auto kinds = kinds_of(candidate);
        if (kinds && std::find(kinds->begin(), kinds->end(), key) != kinds->end()) {
          ops = std::move(candidate);
          changed = true;
          break;
        }
      }
    }
    return ops;
  }

  void random_search() {
    SplitMix64 rng(o_.seed);
    auto below = [&](u64 bound) { return rng.below(bound); };
    for (unsigned n = 0; n < o_.random; n++) {
      result_.random_sequences++;
      auto pair = std::make_unique<Pair>(o_);
      std::vector<u32> ops;
      const u64 length = o_.depth + 1 + below(o_.depth + 2);
      for (u64 k = 0; k < length; k++) {
        std::vector<u32> choices;
        for (u32 id : alphabet(*pair, true)) {
          if (expressible_on_both(ops_[id])) choices.push_back(id);
        }
        const u32 id = choices[below(choices.size())];
        ops.push_back(id);
        const Outcome outcome = apply(*pair, ops_[id]);
        for (Field f : differing_fields(outcome.a.observed, outcome.b.observed,
                                        misbehaviours(outcome.a), misbehaviours(outcome.b))) {
          const KindKey key = key_of(f, ops_[id]);
          if (known(key)) continue;
          record(key, shrink(ops, key), false, true);
          result_.random_new_kinds++;
        }
      }
    }
  }

  // Kernel warnings and out-of-bounds accesses: what a scenario cannot expect.
  static std::size_t misbehaviours(const StepReport& report) {
    return report.warnings.size() + report.violations.size();
  }

  // -- reporting --
  // What `replay` prints after the arrow, and the kernel warnings and out-of-bounds
  // accesses the step hit (a scenario cannot expect those, so the diff shows them).
  static std::string answer_of(const StepReport& report) {
    const auto at = report.line.find(" -> ");
    std::string out = at == std::string::npos ? report.line : report.line.substr(at + 4);
    for (const std::string& w : report.warnings) {
      out += " [" + w + "]";
    }
    for (const std::string& v : report.violations) out += " [" + v + "]";
    return out;
  }

  DiffExample example(const KindKey& key, const Candidate& candidate) {
    DiffExample e;
    e.from_random = candidate.from_random;
    const Variant* only = nullptr;
    const std::string what =
        key.shape.empty() ? std::string(step_op_name(static_cast<StepOp>(key.op))) : key.shape;
    if (key.field == kOnlyIn) {
      only = variant_info(o_.a.semantics).first_last ? &o_.a : &o_.b;
      e.kind = std::string("only in ") + (only == &o_.a ? "A" : "B") + " (" + only->name() +
               "): FIRST/LAST on " + what;
    } else {
      e.kind = field_text(static_cast<Field>(key.field)) + " on " + what;
    }
    for (Scenario* s : {&e.scenario_a, &e.scenario_b}) {
      const bool is_a = s == &e.scenario_a;
      s->name = "diff " + std::string(is_a ? "A" : "B") + " (" + (is_a ? o_.a : o_.b).name() +
                " vs " + (is_a ? o_.b : o_.a).name() + "): " + e.kind;
      s->semantics = (is_a ? o_.a : o_.b).semantics;
      s->initial_revision = o_.initial_revision;
    }
    Pair pair(o_);
    for (std::size_t i = 0; i < candidate.ops.size(); i++) {
      const Op& op = ops_[candidate.ops[i]];
      e.labels.push_back(op.label);
      if (only && i + 1 == candidate.ops.size()) {
        // Only the v2 side can express it; the other side's file ends before it.
        Side& side = only == &o_.a ? pair.a : pair.b;
        const StepReport r = side.step(op.step);
        (only == &o_.a ? e.scenario_a : e.scenario_b).steps.push_back(r.observed);
        (only == &o_.a ? e.lines_a : e.lines_b).push_back(answer_of(r));
        (only == &o_.a ? e.lines_b : e.lines_a).push_back("(cannot be expressed)");
        e.differs.push_back(true);
        if (e.first_difference == 0) e.first_difference = i + 1;
        e.summary = "step " + std::to_string(i + 1) + " " + op.label + ": " +
                    (only == &o_.a ? o_.b : o_.a).name() + " has no FIRST/LAST";
        break;
      }
      const Outcome outcome = apply(pair, op);
      e.scenario_a.steps.push_back(outcome.a.observed);
      e.scenario_b.steps.push_back(outcome.b.observed);
      e.lines_a.push_back(answer_of(outcome.a));
      e.lines_b.push_back(answer_of(outcome.b));
      const auto fields = differing_fields(outcome.a.observed, outcome.b.observed,
                                           misbehaviours(outcome.a), misbehaviours(outcome.b));
      e.differs.push_back(!fields.empty());
      if (!fields.empty() && e.first_difference == 0) e.first_difference = i + 1;
      if (i + 1 == candidate.ops.size()) {
        const bool shows = std::find(fields.begin(), fields.end(), key.field) != fields.end();
        e.summary = "step " + std::to_string(i + 1) + " " + op.label + ": A " + e.lines_a.back() +
                    "; B " + e.lines_b.back();
        // Merging states by their observation assumes it determines the future; a
        // hidden difference (a consumed link id, a key count) could break that.
        if (!shows) e.summary += " (NOT REPRODUCED on a fresh replay)";
      }
    }
    return e;
  }

  SemanticDiffOptions o_;
  bool both_first_last_;
  bool any_first_last_;
  std::vector<Op> ops_;
  std::unordered_map<std::string, u32> op_ids_;  // lookups only, never iterated
  Graph graph_;
  std::unordered_map<std::string, u32> index_;  // state key -> vertex; never iterated
  std::map<KindKey, Best> best_;
  SemanticDiffResult result_;
};

}  // namespace

std::string Variant::name() const {
  std::string out(variant_info(semantics).name);
  if (mutant != Mutant::kNone) out += "+" + std::string(mutant_name(mutant));
  return out;
}

std::optional<Variant> parse_variant(std::string_view text, std::string* error) {
  const auto plus = text.find('+');
  const std::string_view base = text.substr(0, plus);
  Variant v;
  const VariantInfo* variant = variant_named(base);
  if (!variant) {
    *error = "unknown variant '" + std::string(base) + "' (" + variant_names(" or ") +
             ", optionally +MUTANT)";
    return std::nullopt;
  }
  v.semantics = variant->semantics;
  if (plus == std::string_view::npos) return v;
  const std::string_view name = text.substr(plus + 1);
  const auto mutant = mutant_from_name(name);
  if (mutant == Mutant::kNone) return v;  // "v2+none", as `--mutant none` elsewhere
  if (!mutant) {
    *error = "unknown mutant '" + std::string(name) + "' (see `mprogsim mutants`)";
    return std::nullopt;
  }
  for (const auto& info : all_mutants()) {
    if (info.mutant != *mutant) continue;
    if (info.concurrent) {
      *error = "mutant '" + std::string(name) +
               "' shows only with datapath readers (mprogsim check), never in a sequential diff";
      return std::nullopt;
    }
    const std::string refusal = mutant_refusal(info.mutant, v.semantics);
    if (!refusal.empty()) {
      *error = refusal;
      return std::nullopt;
    }
  }
  v.mutant = *mutant;
  return v;
}

std::string step_label(const Step& s) {
  std::string out = step_op_name(s.op);
  auto add = [&out](const std::string& word) { out += " " + word; };
  if (s.op == StepOp::kLinkAttach || s.op == StepOp::kLinkUpdate || s.op == StepOp::kLinkDetach ||
      s.op == StepOp::kLinkClose) {
    add(s.link.value_or("?"));
  }
  if (s.op == StepOp::kLoad || s.op == StepOp::kAttach || s.op == StepOp::kLinkAttach ||
      s.op == StepOp::kLinkUpdate || s.op == StepOp::kDetach || s.op == StepOp::kProgClose) {
    add(s.prog.value_or("null"));
  }
  if (s.op == StepOp::kLoad && s.prog_type != "tcx") add(s.prog_type);
  if (s.op == StepOp::kLinkUpdate && s.old_prog) add("old " + *s.old_prog);
  for (const auto& f : s.flags) add(f);
  if (s.relative.kind != Relative::Kind::kNone) {
    add(s.relative.name ? *s.relative.name : "#" + std::to_string(s.relative.raw.value_or(0)));
    add(s.relative.by_id ? "by id" : "by fd");
  }
  if (s.replace) add("REPLACE " + *s.replace);
  if (s.expected_revision) add("expected_revision " + std::to_string(s.expected_revision));
  if (s.op == StepOp::kQuery) add(s.buffer ? "buffer " + std::to_string(*s.buffer) : "full");
  if (s.op == StepOp::kRefs && s.expect_refs) {
    std::vector<std::string> names;
    for (const auto& [name, value] : *s.expect_refs) names.push_back(name);
    add(join(names));
  }
  return out;
}

std::string step_shape(const Step& s) {
  std::string out = step_op_name(s.op);
  auto add = [&out](const std::string& word) { out += " " + word; };
  auto role = [&s](const std::string& name) { return s.prog && name == *s.prog ? "self" : "prog"; };
  if (s.op == StepOp::kDetach) add(s.prog ? "prog" : "null");
  if (s.op == StepOp::kLoad && s.prog_type != "tcx") add(s.prog_type);
  if (s.op == StepOp::kLinkUpdate && s.old_prog) add("with old prog");
  for (const auto& f : s.flags) add(f);
  if (s.relative.kind != Relative::Kind::kNone) {
    if (s.relative.raw) {
      add("raw");
    } else {
      add(s.relative.kind == Relative::Kind::kLink ? "link" : role(*s.relative.name));
    }
    add(s.relative.by_id ? "by id" : "by fd");
  }
  if (s.replace) add(std::string("REPLACE ") + role(*s.replace));
  if (s.expected_revision) add("expected_revision");
  if (s.op == StepOp::kQuery) add(s.buffer ? "buffer " + std::to_string(*s.buffer) : "full");
  return out;
}

SemanticDiffResult semantic_diff(const SemanticDiffOptions& options) {
  return Search(options).run();
}

}  // namespace mprogsim::properties
