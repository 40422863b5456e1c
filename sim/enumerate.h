// SPDX-License-Identifier: GPL-2.0
// Enumerated workloads (`check --enumerate`): every operation sequence up to a
// bound, over a named operation alphabet, instead of random draws. Each workload is
// `progs` loads, a reader-free prefix, then the operations the readers race with.
//
// Merging. Prefixes that reach equal states are merged: only the first one found
// (breadth-first, so a shortest) is kept, and the readers start after it. This is
// exact, because no reader runs during the prefix, and what the readers and the
// rest of the workload can do depends only on the state the prefix leaves: the spec's
// observable state (lists, link slots, flags, revision, every reference count, which
// fds are open, the qdisc holds) and the model's memory as the datapath sees it
// (which entry is published, and the program lists of both entries, the peer's
// stale one included, with the workload's mutant in force). The operations raced
// with readers are never merged: two sequences that end in equal states can still
// differ in what a reader saw on the way.
//
// Symmetry. Programs that are loaded, open and were never named by any operation
// are interchangeable (only their ids and fd numbers differ), so an operation that
// picks a program to attach tries the first of them only, plus every other program
// it could attach.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/mutants.h"
#include "sim/workload.h"

namespace mprogsim::sim {

// One letter of the alphabet: a kind of operation, expanded into concrete steps on
// each state (one per program, link or relative it can name there).
struct AlphabetLetter {
  std::string_view name;    // "attach-before-prog"
  std::string_view what;    // one line, for --help and the docs
  bool first_last = false;  // names FIRST/LAST: only for a variant that has them
  bool in_default = true;
};

[[nodiscard]] std::span<const AlphabetLetter> alphabet_letters();

// The letters of a comma-separated list (empty text: the default alphabet of the
// variant). nullopt with `error` set for an unknown letter, a v2-only letter on
// upstream, or an empty item.
[[nodiscard]] std::optional<std::vector<std::string>> parse_alphabet(std::string_view text,
                                                                     Semantics semantics,
                                                                     std::string* error);

struct EnumerateOptions {
  Semantics semantics = Semantics::kV2;
  Mutant mutant = Mutant::kNone;
  std::vector<std::string> alphabet;  // letter names; empty: the default alphabet
  std::uint32_t progs = 3;            // programs loaded first
  std::uint32_t ops = 3;              // operations after the loads, at most
  // Workload::start_readers_after: the readers start once the control path has
  // ended this many steps. Past the loads, the operations before them (at most
  // start_readers_after - progs, and at most `ops`) form the reader-free prefix,
  // merged by state; the rest race the readers. A merged prefix may be shorter than
  // the one it stands for: its workload starts the readers right after it.
  std::uint32_t start_readers_after = 0;
  std::uint32_t readers = 1;
  std::uint32_t passes = 1;
  // Memory and time stay bounded: an enumeration with more workloads than this is
  // refused (std::length_error) before it is built (about 200 bytes and 10 us each).
  std::uint64_t max_workloads = 1'000'000;
};

// The workloads of one enumeration, computed up front (throws std::length_error
// past EnumerateOptions::max_workloads) (the sequences are short and
// kept as indexes into a table of distinct steps), handed out in breadth-first
// order: fewer raced operations first.
class Enumeration {
 public:
  explicit Enumeration(const EnumerateOptions& options);

  [[nodiscard]] std::uint64_t size() const { return workloads_.size(); }
  // Distinct states the reader-free prefixes reached (1 without a prefix), and the
  // prefix sequences tried to reach them.
  [[nodiscard]] std::uint64_t prefix_states() const { return prefix_states_; }
  [[nodiscard]] std::uint64_t prefix_sequences() const { return prefix_sequences_; }
  // Workloads with at most `raced` operations after the readers start: the first
  // level_end(raced) of the series (they come in that order).
  [[nodiscard]] std::uint64_t level_end(std::uint32_t raced) const;
  // The most raced operations any workload has.
  [[nodiscard]] std::uint32_t max_raced() const;
  // Reader-free operations at most before the readers start (merged prefixes).
  [[nodiscard]] std::uint32_t prefix_ops() const { return prefix_ops_; }
  // The workload at `index` (< size()).
  [[nodiscard]] Workload at(std::uint64_t index) const;
  // The label of every distinct operation, for tests.
  [[nodiscard]] std::string describe(std::uint64_t index) const;

 private:
  struct Sequence {
    std::vector<std::uint32_t> prefix;  // reader-free operations
    std::vector<std::uint32_t> raced;   // operations the readers race with
  };
  EnumerateOptions options_;
  std::vector<Step> steps_;  // distinct steps, by index
  std::vector<Sequence> workloads_;
  std::vector<std::uint64_t> level_ends_;  // per raced length: workloads up to it
  std::uint32_t prefix_ops_ = 0;
  std::uint64_t prefix_states_ = 0;
  std::uint64_t prefix_sequences_ = 0;

  friend class EnumerationBuilder;
};

}  // namespace mprogsim::sim
