// SPDX-License-Identifier: GPL-2.0
// Mirror of the tcx caller of mprog as the same v2 series has it (2/7, "bpf: Add
// fd-based tcx multi-prog infra with link support": include/net/tcx.h,
// kernel/bpf/tcx.c, and the clsact/ingress qdisc hooks in net/sched/sch_ingress.c).
// This is the caller protocol around mprog: RTNL, the published entry pointer,
// publish-the-peer / commit / free on each return code, link ownership.
//
// model: there is one device with one hook (ingress); functions take the device
// instead of looking it up by ifindex, and RTNL is a simulated lock (rtnl_lock()).
#pragma once

#include <vector>

#include "model/bpf_objects.h"
#include "model/v2/bpf_mprog.h"

namespace mprogsim::v2 {

// clang-format off
struct net_device {
	bpf_mprog_entry *tcx_ingress;	// __rcu
	// model: the static keys tcx_skeys_inc/dec move, as counters.
	s64 tcx_needed_key;
	s64 ingress_queue;
};

struct tcx_entry {
	bpf_mprog_bundle bundle;
	// model: v2 has `struct mini_Qdisc __rcu *miniq` here and tests it for NULL;
	// we count the qdisc's holds instead (what upstream later named miniq_active).
	u32 miniq;
};

struct tcx_link {
	bpf_link link;
	net_device *dev;
	u32 location;
	u32 flags;
};

inline tcx_link *tcx_link_of(bpf_link *link)
{
	return reinterpret_cast<tcx_link *>(link);	// container_of(link, struct tcx_link, link)
}

inline tcx_entry *tcx_entry_of(bpf_mprog_entry *entry)
{
	return reinterpret_cast<tcx_entry *>(entry->parent);	// container_of(..., bundle)
}

// The subset of union bpf_attr that tcx reads.
struct tcx_attach_attr {
	u32 attach_flags;
	u32 relative_fd;
	u32 expected_revision;
};
struct tcx_link_create_attr {
	u32 flags;
	u32 relative_fd;
	u32 expected_revision;
};

void rtnl_lock();
void rtnl_unlock();

void tcx_entry_update(net_device *dev, bpf_mprog_entry *entry, bool ingress);
bpf_mprog_entry *dev_tcx_entry_fetch(net_device *dev, bool ingress);
bpf_mprog_entry *dev_tcx_entry_fetch_or_create(net_device *dev, bool ingress, bool *created);

int tcx_prog_attach(net_device *dev, const tcx_attach_attr *attr, bpf_prog *prog);
int tcx_prog_detach(net_device *dev, const tcx_attach_attr *attr, bpf_prog *prog);
int tcx_prog_query(net_device *dev, const bpf_mprog_query_attr *attr,
		   bpf_mprog_query_uattr *uattr);
// Returns the new link's fd or -errno.
int tcx_link_attach(net_device *dev, const tcx_link_create_attr *attr, bpf_prog *prog);

// sch_ingress.c: the qdisc's ingress_init() / ingress_destroy() as seen by tcx.
int tcx_miniq_inc(net_device *dev);
void tcx_miniq_dec(net_device *dev);

// The datapath (sch_handle_ingress -> tcx_run): one pass over the published entry.
// Appends the id of each program run to `ran`.
void tcx_run(net_device *dev, std::vector<u32> *ran);
// clang-format on

}  // namespace mprogsim::v2
