// SPDX-License-Identifier: GPL-2.0
// The semantic diff behind `mprogsim diff A B`: the same name-level operations run on
// two versions of mprog (a variant, v2 or upstream, each optionally with a mutant),
// and the shortest operation sequences on which their observable answers differ are
// reported, grouped by kind ("return code differs on attach", "revision differs on
// query", ...).
//
// The search is an exhaustive breadth-first search over the explored state space,
// kept as a Boost.Graph adjacency_list: a vertex is the pair of both sides'
// observable states (each a canonical text of what a user can see: the query answers,
// the datapath pass, the refcounts, the qdisc holds, which names are bound and open),
// and vertices with equal pairs are merged. Breadth-first order then makes the first
// example found for a kind a shortest one within the bounds (depth, programs, links,
// holds). Past the depth bound a seeded random search tries longer sequences and
// reports kinds the BFS could not reach, shrunk but not proven shortest.
//
// Operations are scenario steps (names and flag names), which the scenario runner
// translates to each variant's bits, so both sides always get the same request in
// their own encoding. FIRST/LAST exist only in v2: with two v2 sides they are part of
// the alphabet like any flag; with one upstream side an operation naming them cannot
// be expressed there, and is reported as its own kind ("only in A: FIRST/LAST")
// without being followed further.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/mprog_api.h"
#include "model/mutants.h"
#include "scenario/scenario.h"

namespace mprogsim::properties {

// One side of the diff: "v2", "upstream", "v2+commit-keeps-zero", ...
struct Variant {
  Semantics semantics = Semantics::kV2;
  Mutant mutant = Mutant::kNone;
  std::string name() const;
};

// Parses "VARIANT[+MUTANT]". On failure returns nullopt and says why in `error`:
// an unknown variant or mutant, a mutant of the other variant, or a concurrent
// mutant (visible only with datapath readers, so never in this sequential diff).
[[nodiscard]] std::optional<Variant> parse_variant(std::string_view text, std::string* error);

// Bounds on the search (README, "Reliability"): the BFS's states grow several times
// per step, so the depth is limited, and the graph stops growing at kMaxDiffStates
// vertices (about 2 KB each): the search then says up to which depth it was
// exhaustive.
inline constexpr unsigned kMaxDiffDepth = 12;
inline constexpr std::size_t kMaxDiffStates = 250'000;

struct SemanticDiffOptions {
  Variant a;
  Variant b;
  unsigned depth = 6;  // the BFS explores every sequence of at most this many steps
  unsigned progs = 3;  // programs P1..Pn that may be loaded
  unsigned links = 2;  // link names L1..Ln that may be bound
  unsigned holds = 2;  // qdisc holds (miniq_inc) outstanding at once
  // Drop FIRST/LAST from the alphabet even when both sides are v2 (or one is).
  bool common_only = false;
  std::optional<u64> initial_revision;  // the scenario knob, on both sides
  // Kinds per shape of an operation ("return code differs on attach BEFORE prog by
  // id") instead of per operation ("... on attach"): more kinds, one example each.
  bool by_shape = false;
  // The random search past the bound: this many sequences of depth+1 .. 2*depth+2
  // steps, drawn with `seed`. 0 turns it off.
  unsigned random = 2000;
  u64 seed = 1;
  std::size_t max_states = kMaxDiffStates;  // smaller in tests
};

// One kind of difference with its shortest example found.
struct DiffExample {
  std::string kind;  // "return code differs on attach"
  // The example as each side ran it: the same steps, every expectation set to that
  // side's answer (StepReport::observed), so each replays and passes on its own side.
  // For an "only in" kind the other side's scenario stops before the step it cannot
  // express.
  Scenario scenario_a;
  Scenario scenario_b;
  std::vector<std::string> labels;   // one per step: "attach P2 BEFORE P1 by id"
  std::vector<std::string> lines_a;  // what `replay` prints for each step, side A
  std::vector<std::string> lines_b;
  std::vector<bool> differs;  // per step: did the two sides answer differently
  // The first step (1-based) on which the sides answered differently: the last one
  // when the example shows the kind directly, earlier when it is a consequence.
  std::size_t first_difference = 0;
  std::string summary;       // one line: where and how the last step differs
  bool from_random = false;  // found past the bound: shrunk, not proven shortest
};

struct SemanticDiffResult {
  std::vector<DiffExample> differences;  // in a fixed order of kinds (see .cc)
  std::size_t states = 0;                // vertices of the explored graph
  std::size_t edges = 0;                 // edges of the explored graph (self-loops included)
  std::size_t applied = 0;               // operations run on both sides, replays not counted
  bool bound_reached = false;            // some state at the full depth (the bound mattered)
  // Every sequence of at most this many steps was explored: the depth asked for, or
  // less when the state limit stopped the search first.
  unsigned exhaustive_depth = 0;
  bool state_limit_reached = false;
  std::size_t random_sequences = 0;
  std::size_t random_new_kinds = 0;
};

[[nodiscard]] SemanticDiffResult semantic_diff(const SemanticDiffOptions& options);

// The text label of a step as the diff prints it (also its identity in the alphabet).
[[nodiscard]] std::string step_label(const Step& step);
// The label without names, relatives by kind ("self" when it is the step's own
// program): "attach BEFORE prog by id", "detach null AFTER", "attach REPLACE self".
[[nodiscard]] std::string step_shape(const Step& step);

}  // namespace mprogsim::properties
