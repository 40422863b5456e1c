// SPDX-License-Identifier: GPL-2.0
#include "sim/fiber_threads.h"

#include <memory>

#include "common/assert.h"
#include "sim/fiber_switch.h"
#include "sim/stack_pool.h"

namespace mprogsim::sim {
namespace ctx = boost::context;

void FiberThreads::create(std::size_t n, const Body* body) {
  SIM_ASSERT(threads_.empty(), "fibers created twice");
  // Sized once: a fiber's lambda refers to its entry.
  threads_.resize(n);
  static thread_local StackPool pool(256 * 1024);
  for (std::size_t i = 0; i < n; i++) {
    const auto id = static_cast<ThreadId>(i);
    Fiber& t = threads_[i];
    t.fiber = ctx::fiber(std::allocator_arg, PooledStack(&pool, &t.stack_bottom, &t.stack_size),
                         [this, id, body](ctx::fiber&& main) {
                           finish_switch(nullptr, &main_stack_bottom_, &main_stack_size_);
                           Fiber& self = threads_[id];
                           self.main = std::move(main);
                           self.started = true;
                           (*body)(id);
                           self.done = true;
                           start_switch(nullptr, main_stack_bottom_, main_stack_size_);
                           return std::move(self.main);
                         });
  }
}

void FiberThreads::reset() {
  for (const Fiber& t : threads_) SIM_ASSERT(!t.fiber, "a thread left with its stack");
  threads_.clear();
  in_fiber_ = false;
}

void FiberThreads::yield(ThreadId id) {
  Fiber& self = threads_[id];
  void* fake_stack = nullptr;
  start_switch(&fake_stack, main_stack_bottom_, main_stack_size_);
  self.main = std::move(self.main).resume();
  finish_switch(fake_stack, nullptr, nullptr);
}

void FiberThreads::resume(ThreadId id) {
  SIM_ASSERT(id < threads_.size() && threads_[id].fiber, "resuming a thread that has no fiber");
  Fiber& t = threads_[id];
  void* fake_stack = nullptr;
  start_switch(&fake_stack, t.stack_bottom, t.stack_size);
  in_fiber_ = true;
  t.fiber = std::move(t.fiber).resume();
  in_fiber_ = false;
  finish_switch(fake_stack, nullptr, nullptr);
}

}  // namespace mprogsim::sim
