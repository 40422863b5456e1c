// SPDX-License-Identifier: GPL-2.0
// Fiber stacks, reused across executions: a campaign creates a few fibers per
// execution and hundreds of thousands of executions, and a fresh mmap per stack
// would cost more than the execution itself. Stacks are plain heap blocks (no guard
// page); 256 KiB is far more than the model's deepest call chain needs.
#pragma once

#include <boost/context/stack_context.hpp>
#include <cstddef>
#include <cstdlib>
#include <new>
#include <vector>

namespace mprogsim::sim {

class StackPool {
 public:
  explicit StackPool(std::size_t size) : size_(size) {}
  ~StackPool() {
    for (void* block : free_) std::free(block);
  }
  StackPool(const StackPool&) = delete;
  StackPool& operator=(const StackPool&) = delete;

  void* take() {
    if (free_.empty()) {
      void* block = std::aligned_alloc(64, size_);
      if (!block) throw std::bad_alloc();
      return block;
    }
    void* block = free_.back();
    free_.pop_back();
    return block;
  }
  void give_back(void* block) { free_.push_back(block); }
  std::size_t size() const { return size_; }

 private:
  std::size_t size_;
  std::vector<void*> free_;
};

// The StackAllocator Boost.Context expects, drawing from a StackPool.
// Reports the stack it hands out (for the ASan fiber annotations).
class PooledStack {
 public:
  PooledStack(StackPool* pool, const void** bottom, std::size_t* size)
      : pool_(pool), bottom_(bottom), size_(size) {}
  boost::context::stack_context allocate() {
    boost::context::stack_context sc;
    void* block = pool_->take();
    sc.size = pool_->size();
    sc.sp = static_cast<char*>(block) + pool_->size();  // stacks grow down
    *bottom_ = block;
    *size_ = pool_->size();
    return sc;
  }
  void deallocate(boost::context::stack_context& sc) {
    pool_->give_back(static_cast<char*>(sc.sp) - sc.size);
  }

 private:
  StackPool* pool_;
  const void** bottom_;
  std::size_t* size_;
};

}  // namespace mprogsim::sim
