// SPDX-License-Identifier: GPL-2.0
// The interleaving of one recorded execution as a Graphviz graph (`mprogsim replay
// TRACE --dot FILE`), built with Boost.Graph. Time runs down the page; each thread
// (C, R1..Rn, the RCU callbacks) is one lane, and its events are chained in
// program order. The edges that explain a concurrency bug are drawn across lanes:
//
//   publish -> load         rcu_assign_pointer(dev->tcx_ingress) to each
//                           rcu_dereference that read that value
//   grace period            synchronize_rcu's start to its return; call_rcu to the
//                           callback run it queued
//   written during the pass a reader's load of a value another thread stored after
//                           the reader's pass began (a torn snapshot's cause)
//   freed                   the free to the use-after-free access
//
// The violation is a red node at the end of its thread's lane; for a torn snapshot
// the loads that read a mid-pass store and the pass's result are red as well.
// Long runs of a thread's plain copies collapse into one node ("64 plain writes to
// bundle#1.b.fp_items[0..63]"), so a picture stays readable. The output is a pure
// function of the events: node ids are creation order, no addresses.
#pragma once

#include <cstddef>
#include <string>

#include "sim/execution.h"

namespace mprogsim::sim {

struct InterleavingGraphOptions {
  std::string title;             // the graph's label
  std::size_t collapse_min = 3;  // shortest run of plain copies shown as one node
};

// The DOT text for `result`, which must have been run with record_events.
[[nodiscard]] std::string interleaving_dot(const ExecutionResult& result,
                                           const InterleavingGraphOptions& options);

}  // namespace mprogsim::sim
