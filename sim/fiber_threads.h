// SPDX-License-Identifier: GPL-2.0
// The simulated threads' fibers: one stackful fiber (Boost.Context) per thread, on
// stacks pooled across executions (sim/stack_pool.h), and the two switches between
// a thread and the scheduler, told to ASan (sim/fiber_switch.h). It knows nothing
// of what the threads do or of how the next one is chosen (sim/execution.cc).
#pragma once

#include <boost/context/fiber.hpp>
#include <cstddef>
#include <functional>
#include <vector>

#include "sim/transition.h"

namespace mprogsim::sim {

class FiberThreads {
 public:
  // What a thread runs, on its own stack, from its first resume until it returns.
  using Body = std::function<void(ThreadId)>;

  // Creates threads 0..n-1 (not yet started: each starts at its first resume).
  // `body` must outlive them. Once per reset().
  void create(std::size_t n, const Body* body);
  // Forgets the threads (each dropped), keeping the table's capacity.
  void reset();
  std::size_t size() const { return threads_.size(); }

  // The scheduler resumes thread `id`; returns when it hands over or finishes.
  void resume(ThreadId id);
  // The running thread `id` hands over to the scheduler; returns when resumed.
  void yield(ThreadId id);

  bool in_fiber() const { return in_fiber_; }  // a thread runs (not the scheduler)
  bool started(ThreadId id) const { return threads_[id].started; }
  bool done(ThreadId id) const { return threads_[id].done; }
  // Stopped somewhere in its body: resuming it runs it on (or unwinds it).
  bool suspended(ThreadId id) const {
    const Fiber& t = threads_[id];
    return t.fiber && t.started && !t.done;
  }
  // Frees the thread's stack (it must not be suspended any more).
  void drop(ThreadId id) { threads_[id].fiber = {}; }

 private:
  struct Fiber {
    boost::context::fiber fiber;         // the suspended thread
    boost::context::fiber main;          // the scheduler, while the thread runs
    const void* stack_bottom = nullptr;  // for the ASan annotations
    std::size_t stack_size = 0;
    bool started = false;
    bool done = false;
  };
  std::vector<Fiber> threads_;
  bool in_fiber_ = false;
  const void* main_stack_bottom_ = nullptr;
  std::size_t main_stack_size_ = 0;
};

}  // namespace mprogsim::sim
