// SPDX-License-Identifier: GPL-2.0
// The object model's lookups and reference counting, against the kernel's errors.
#include "model/bpf_objects.h"

#include <gtest/gtest.h>

#include "model/sequential_hooks.h"

namespace mprogsim {
namespace {

class BpfObjectsTest : public ::testing::Test {
 protected:
  BpfObjectsTest() : scope_(&hooks_, &objects_) {}
  SequentialHooks hooks_;
  BpfObjects objects_;
  KernelScope scope_;
};

TEST_F(BpfObjectsTest, FdsStartAtThreeAndReuseTheLowest) {
  EXPECT_EQ(objects_.prog_load(BPF_PROG_TYPE_SCHED_CLS), 3);
  EXPECT_EQ(objects_.prog_load(BPF_PROG_TYPE_SCHED_CLS), 4);
  EXPECT_EQ(objects_.close_fd(3), 0);
  EXPECT_EQ(objects_.close_fd(3), -EBADF);
  EXPECT_EQ(objects_.prog_load(BPF_PROG_TYPE_SCHED_CLS), 3);
  EXPECT_EQ(objects_.prog_id_of_fd(3), 3) << "ids are never reused";
}

TEST_F(BpfObjectsTest, LookupErrorsMatchTheKernel) {
  const int fd = objects_.prog_load(BPF_PROG_TYPE_SCHED_CLS);
  EXPECT_EQ(PTR_ERR(bpf_prog_get(99)), -EBADF);
  EXPECT_EQ(PTR_ERR(bpf_prog_get(0)), -EINVAL) << "stdin is a file, not a program";
  EXPECT_EQ(PTR_ERR(bpf_prog_by_id(0)), -ENOENT);
  EXPECT_EQ(PTR_ERR(bpf_prog_by_id(2)), -ENOENT);
  EXPECT_EQ(PTR_ERR(bpf_link_get_from_fd(static_cast<u32>(fd))), -EINVAL);
  EXPECT_EQ(PTR_ERR(bpf_link_by_id(1)), -ENOENT);
  EXPECT_EQ(PTR_ERR(bpf_prog_get_type(static_cast<u32>(fd), ProgType::kXdp)), -EINVAL);
  EXPECT_EQ(objects_.prog_info(1).refcnt, 1u) << "the failed typed get put its reference";
}

TEST_F(BpfObjectsTest, LastPutFreesAfterTheGracePeriodAndForgetsTheId) {
  const int fd = objects_.prog_load(BPF_PROG_TYPE_SCHED_CLS);
  bpf_prog* prog = bpf_prog_get(static_cast<u32>(fd));
  ASSERT_FALSE(IS_ERR(prog));
  EXPECT_EQ(objects_.prog_info(1).refcnt, 2u);
  EXPECT_EQ(objects_.close_fd(static_cast<u32>(fd)), 0);
  bpf_prog_put(prog);
  EXPECT_EQ(PTR_ERR(bpf_prog_by_id(1)), -ENOENT) << "the idr forgets at once";
  EXPECT_FALSE(objects_.prog_info(1).freed) << "the memory waits for a grace period";
  hooks_.drain();
  EXPECT_TRUE(objects_.prog_info(1).freed);
  EXPECT_EQ(objects_.refs_taken(), objects_.refs_dropped());
}

}  // namespace
}  // namespace mprogsim
