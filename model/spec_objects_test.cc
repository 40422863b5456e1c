// SPDX-License-Identifier: GPL-2.0
// The specs' shared object table (model/spec_objects.h): the syscall layer's answers
// both specs rely on, checked here once.
#include "model/spec_objects.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace mprogsim {
namespace {

using FdKind = SpecFdKind;

TEST(SpecObjects, FdsStartAtThreeAndReuseTheLowestFree) {
  SpecObjects<> objects;
  EXPECT_EQ(objects.load_prog(ProgType::kSchedCls), 3U);
  EXPECT_EQ(objects.load_prog(ProgType::kSchedCls), 4U);
  EXPECT_EQ(objects.load_prog(ProgType::kXdp), 5U);
  EXPECT_EQ(objects.close_fd(3, [](u32) { FAIL() << "no link was closed"; }), 0);
  EXPECT_EQ(objects.close_fd(4, [](u32) {}), 0);
  EXPECT_EQ(objects.load_prog(ProgType::kSchedCls), 3U);
  EXPECT_EQ(objects.load_prog(ProgType::kSchedCls), 4U);
  EXPECT_EQ(objects.load_prog(ProgType::kSchedCls), 6U);
}

TEST(SpecObjects, LookupsAnswerAsTheKernelsGetters) {
  SpecObjects<> objects;
  const u32 fd = objects.load_prog(ProgType::kSchedCls);
  EXPECT_EQ(objects.by_fd(FdKind::kProg, fd), 1);
  EXPECT_EQ(objects.by_fd(FdKind::kLink, fd), -EINVAL);  // another kind of file
  EXPECT_EQ(objects.by_fd(FdKind::kProg, 1), -EINVAL);   // stdout: no BPF object
  EXPECT_EQ(objects.by_fd(FdKind::kProg, 9), -EBADF);
  EXPECT_EQ(objects.prog_by_id(1), 1);
  EXPECT_EQ(objects.prog_by_id(2), -ENOENT);
  EXPECT_EQ(objects.link_by_id(0), -ENOENT);
  // Closing stdin is allowed; a later lookup of it says EBADF.
  EXPECT_EQ(objects.close_fd(0, [](u32) {}), 0);
  EXPECT_EQ(objects.by_fd(FdKind::kProg, 0), -EBADF);
  EXPECT_EQ(objects.close_fd(0, [](u32) {}), -EBADF);
}

TEST(SpecObjects, ALinkSettlesThenPublishesOrStaysFreed) {
  SpecObjects<> objects;
  (void)objects.load_prog(ProgType::kSchedCls);
  const u32 failed = objects.reserve_link(SpecLink{1});
  EXPECT_EQ(objects.link_by_id(failed), -EAGAIN);  // in the idr, id not yet published
  objects.settle_link();
  EXPECT_EQ(objects.link_by_id(failed), -ENOENT);  // a failed create stays freed
  EXPECT_TRUE(objects.link_info(failed).freed);

  const u32 id = objects.reserve_link(SpecLink{1});
  EXPECT_EQ(id, failed + 1);  // the failed create consumed its id
  objects.settle_link();
  const u32 fd = objects.publish_link(id);
  EXPECT_EQ(objects.link_by_id(id), static_cast<int>(id));
  EXPECT_EQ(objects.by_fd(FdKind::kLink, fd), static_cast<int>(id));
  EXPECT_TRUE(objects.link(id).attached);
  EXPECT_EQ(objects.prog_info(1).refcnt, 2U);  // the fd's and the link's

  u32 released = 0;
  EXPECT_EQ(objects.close_fd(fd, [&](u32 link) { released = link; }), 0);
  EXPECT_EQ(released, id);
  EXPECT_TRUE(objects.link_info(id).freed);
  EXPECT_EQ(objects.prog_info(1).refcnt, 1U);
}

TEST(SpecObjects, TheLastPutFreesAndAnotherIsABug) {
  SpecObjects<> objects;
  const u32 fd = objects.load_prog(ProgType::kSchedCls);
  EXPECT_EQ(objects.close_fd(fd, [](u32) {}), 0);
  EXPECT_EQ(objects.prog_info(1).refcnt, 0U);
  EXPECT_TRUE(objects.prog_info(1).freed);
  EXPECT_EQ(objects.prog_by_id(1), -ENOENT);
  EXPECT_THROW(objects.put_prog(1), std::logic_error);
  EXPECT_FALSE(objects.prog_info(7).exists);
}

}  // namespace
}  // namespace mprogsim
