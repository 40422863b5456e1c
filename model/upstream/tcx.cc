// SPDX-License-Identifier: GPL-2.0
// Mirror of kernel/bpf/tcx.c and include/net/tcx.h as merged upstream, with the later
// fixes applied, plus the tcx parts of net/sched/sch_ingress.c and net/core/dev.c.
#include "model/upstream/tcx.h"

#include "model/mutants.h"

#include <cstdlib>

namespace mprogsim::upstream {

// clang-format off
namespace {

void tcx_link_release(bpf_link *link);
int tcx_link_detach(bpf_link *link);
void tcx_link_dealloc(bpf_link *link);
int tcx_link_update(bpf_link *link, bpf_prog *nprog, bpf_prog *oprog);

const bpf_link_ops tcx_link_lops = {
	.release	= tcx_link_release,
	.detach		= tcx_link_detach,
	.dealloc	= tcx_link_dealloc,
	.update_prog	= tcx_link_update,
};

}  // namespace

void rtnl_lock()
{
	// model: the control path is serialized by the caller (System, or the
	// simulator's lock); nothing to do in a sequential run.
}

void rtnl_unlock()
{
}

// ---- include/net/tcx.h -----------------------------------------------------------

void tcx_entry_sync()
{
	// The entry was swapped for its peer: wait until no reader can still be
	// walking the old one.
	if (!mutant_active(Mutant::kCommitNoSync))
		synchronize_rcu();
}

void tcx_entry_update(net_device *dev, bpf_mprog_entry *entry, bool ingress)
{
	if (ingress)
		rcu_assign_pointer(dev->tcx_ingress, entry);
}

bpf_mprog_entry *tcx_entry_fetch(net_device *dev, bool ingress)
{
	// rcu_dereference_rtnl: under RTNL, no datapath ordering needed.
	return ingress ? dev->tcx_ingress : nullptr;
}

bpf_mprog_entry *tcx_entry_create()
{
	// model: kzalloc; calloc implicitly creates the (all zero) tcx_entry.
	tcx_entry *tcx = static_cast<tcx_entry *>(std::calloc(1, sizeof(*tcx)));

	if (tcx) {
		kernel_hooks()->alloc(tcx, sizeof(*tcx), "tcx_entry");
		bpf_mprog_bundle_init(&tcx->bundle);
		return &tcx->bundle.a;
	}
	return nullptr;
}

void tcx_entry_free(bpf_mprog_entry *entry)
{
	// kfree_rcu(tcx_entry(entry), rcu)
	tcx_entry *tcx = tcx_entry_of(entry);
	if (mutant_active(Mutant::kFreeBundleNow)) {
		kernel_hooks()->kfree(tcx, [tcx] { std::free(tcx); });
		return;
	}
	kernel_hooks()->call_rcu(tcx, [tcx] {
		kernel_hooks()->kfree(tcx, [tcx] { std::free(tcx); });
	});
}

bpf_mprog_entry *tcx_entry_fetch_or_create(net_device *dev, bool ingress, bool *created)
{
	bpf_mprog_entry *entry = tcx_entry_fetch(dev, ingress);

	*created = false;
	if (!entry) {
		entry = tcx_entry_create();
		if (!entry)
			return nullptr;
		*created = true;
	}
	return entry;
}

void tcx_skeys_inc(net_device *dev, bool ingress)
{
	dev->tcx_needed_key++;			// tcx_inc()
	if (ingress)
		dev->ingress_queue++;		// net_inc_ingress_queue()
}

void tcx_skeys_dec(net_device *dev, bool ingress)
{
	if (ingress)
		dev->ingress_queue--;		// net_dec_ingress_queue()
	dev->tcx_needed_key--;			// tcx_dec()
}

void tcx_miniq_inc(bpf_mprog_entry *entry)
{
	// mutant: before "bpf: Fix too early release of tcx_entry" this was a bool
	// set to true (tcx_miniq_set_active(entry, true)).
	if (mutant_active(Mutant::kUpstreamMiniqBoolBefore)) {
		tcx_entry_of(entry)->miniq_active = 1;
		return;
	}
	tcx_entry_of(entry)->miniq_active++;
}

void tcx_miniq_dec(bpf_mprog_entry *entry)
{
	// mutant: ... and set to false here.
	if (mutant_active(Mutant::kUpstreamMiniqBoolBefore)) {
		tcx_entry_of(entry)->miniq_active = 0;
		return;
	}
	tcx_entry_of(entry)->miniq_active--;
}

bool tcx_entry_is_active(bpf_mprog_entry *entry)
{
	return bpf_mprog_total(entry) || tcx_entry_of(entry)->miniq_active;
}

// ---- kernel/bpf/tcx.c ------------------------------------------------------------

int tcx_prog_attach(net_device *dev, const tcx_attach_attr *attr, bpf_prog *prog)
{
	bool created, ingress = true;	// attr->attach_type == BPF_TCX_INGRESS
	bpf_mprog_entry *entry, *entry_new;
	bpf_prog *replace_prog = nullptr;
	int ret;

	rtnl_lock();
	// model: __dev_get_by_index() always finds the one device.
	if (attr->attach_flags & BPF_F_REPLACE) {
		replace_prog = bpf_prog_get_type(attr->replace_bpf_fd,
						 prog->type);
		if (IS_ERR(replace_prog)) {
			ret = PTR_ERR(replace_prog);
			replace_prog = nullptr;
			goto out;
		}
	}
	entry = tcx_entry_fetch_or_create(dev, ingress, &created);
	if (!entry) {
		ret = -ENOMEM;
		goto out;
	}
	if (mutant_active(Mutant::kPublishBeforeWritten))
		tcx_entry_update(dev, bpf_mprog_peer(entry), ingress);
	ret = bpf_mprog_attach(entry, &entry_new, prog, nullptr, replace_prog,
			       attr->attach_flags, attr->relative_fd,
			       attr->expected_revision);
	if (mutant_active(Mutant::kPublishBeforeWritten) && (ret || entry == entry_new))
		tcx_entry_update(dev, created ? nullptr : entry, ingress);
	if (!ret) {
		if (entry != entry_new) {
			tcx_entry_update(dev, entry_new, ingress);
			tcx_entry_sync();
			tcx_skeys_inc(dev, ingress);
		}
		bpf_mprog_commit(entry);
	} else if (created) {
		tcx_entry_free(entry);
	}
out:
	if (replace_prog)
		bpf_prog_put(replace_prog);
	rtnl_unlock();
	return ret;
}

int tcx_prog_detach(net_device *dev, const tcx_attach_attr *attr, bpf_prog *prog)
{
	bool ingress = true;
	bpf_mprog_entry *entry, *entry_new;
	int ret;

	rtnl_lock();
	entry = tcx_entry_fetch(dev, ingress);
	if (!entry) {
		ret = -ENOENT;
		goto out;
	}
	ret = bpf_mprog_detach(entry, &entry_new, prog, nullptr, attr->attach_flags,
			       attr->relative_fd, attr->expected_revision);
	if (!ret) {
		if (!tcx_entry_is_active(entry_new))
			entry_new = nullptr;
		tcx_entry_update(dev, entry_new, ingress);
		tcx_entry_sync();
		tcx_skeys_dec(dev, ingress);
		bpf_mprog_commit(entry);
		if (!entry_new)
			tcx_entry_free(entry);
	}
out:
	rtnl_unlock();
	return ret;
}

int tcx_prog_query(net_device *dev, const bpf_mprog_query_attr *attr,
		   bpf_mprog_query_uattr *uattr)
{
	bool ingress = true;
	bpf_mprog_entry *entry;
	int ret;

	rtnl_lock();
	entry = tcx_entry_fetch(dev, ingress);
	// mutant: before "bpf: Handle bpf_mprog_query with NULL entry" tcx answered a
	// hook without an entry with -ENOENT instead of count 0, revision 1.
	if (!entry && mutant_active(Mutant::kUpstreamQueryNullEntryBefore)) {
		ret = -ENOENT;
		goto out;
	}
	ret = bpf_mprog_query(attr, uattr, entry);
out:
	rtnl_unlock();
	return ret;
}

namespace {

int tcx_link_prog_attach(bpf_link *link, u32 flags, u32 id_or_fd,
			 u64 revision)
{
	tcx_link *tcx = tcx_link_of(link);
	bool created, ingress = tcx->location == 0;	// BPF_TCX_INGRESS
	bpf_mprog_entry *entry, *entry_new;
	net_device *dev = tcx->dev;
	int ret;

	entry = tcx_entry_fetch_or_create(dev, ingress, &created);
	if (!entry)
		return -ENOMEM;
	if (mutant_active(Mutant::kPublishBeforeWritten))
		tcx_entry_update(dev, bpf_mprog_peer(entry), ingress);
	ret = bpf_mprog_attach(entry, &entry_new, link->prog, link, nullptr, flags,
			       id_or_fd, revision);
	if (mutant_active(Mutant::kPublishBeforeWritten) && (ret || entry == entry_new))
		tcx_entry_update(dev, created ? nullptr : entry, ingress);
	if (!ret) {
		if (entry != entry_new) {
			tcx_entry_update(dev, entry_new, ingress);
			tcx_entry_sync();
			tcx_skeys_inc(dev, ingress);
		}
		bpf_mprog_commit(entry);
	} else if (created) {
		tcx_entry_free(entry);
	}
	return ret;
}

void tcx_link_release(bpf_link *link)
{
	tcx_link *tcx = tcx_link_of(link);
	bool ingress = tcx->location == 0;
	bpf_mprog_entry *entry, *entry_new;
	net_device *dev;
	int ret = 0;

	rtnl_lock();
	dev = tcx->dev;
	if (!dev)
		goto out;
	entry = tcx_entry_fetch(dev, ingress);
	if (!entry) {
		ret = -ENOENT;
		goto out;
	}
	ret = bpf_mprog_detach(entry, &entry_new, link->prog, link, 0, 0, 0);
	if (!ret) {
		if (!tcx_entry_is_active(entry_new))
			entry_new = nullptr;
		tcx_entry_update(dev, entry_new, ingress);
		tcx_entry_sync();
		tcx_skeys_dec(dev, ingress);
		bpf_mprog_commit(entry);
		if (!entry_new)
			tcx_entry_free(entry);
		tcx->dev = nullptr;
	}
out:
	WARN_ON_ONCE(ret);
	rtnl_unlock();
}

int tcx_link_update(bpf_link *link, bpf_prog *nprog, bpf_prog *oprog)
{
	tcx_link *tcx = tcx_link_of(link);
	bool ingress = tcx->location == 0;
	bpf_mprog_entry *entry, *entry_new;
	net_device *dev;
	int ret = 0;

	rtnl_lock();
	dev = tcx->dev;
	if (!dev) {
		ret = -ENOLINK;
		goto out;
	}
	if (oprog && link->prog != oprog) {
		ret = -EPERM;
		goto out;
	}
	oprog = link->prog;
	if (oprog == nprog) {
		bpf_prog_put(nprog);
		goto out;
	}
	entry = tcx_entry_fetch(dev, ingress);
	if (!entry) {
		ret = -ENOENT;
		goto out;
	}
	ret = bpf_mprog_attach(entry, &entry_new, nprog, link, oprog,
			       BPF_F_REPLACE | BPF_F_ID,
			       link->prog->aux->id, 0);
	if (!ret) {
		WARN_ON_ONCE(entry != entry_new);
		oprog = link->prog;		// xchg(&link->prog, nprog)
		link->prog = nprog;
		bpf_prog_put(oprog);
		bpf_mprog_commit(entry);
	}
out:
	rtnl_unlock();
	return ret;
}

void tcx_link_dealloc(bpf_link *link)
{
	// model: kfree(tcx_link(link)); the memory belongs to BpfObjects, which marks
	// the link freed right after this returns.
	(void)link;
}

int tcx_link_detach(bpf_link *link)
{
	tcx_link_release(link);
	return 0;
}

void tcx_link_destroy(bpf_link *link)
{
	delete tcx_link_of(link);
}

int tcx_link_init(tcx_link *tcx,
		  LinkPrimer *link_primer,
		  net_device *dev,
		  bpf_prog *prog)
{
	// bpf_link_init(&tcx->link, BPF_LINK_TYPE_TCX, &tcx_link_lops, prog);
	tcx->link.refcnt = 1;
	tcx->link.ops = &tcx_link_lops;
	tcx->link.prog = prog;
	tcx->location = 0;	// attr->link_create.attach_type: BPF_TCX_INGRESS
	tcx->dev = dev;
	return current_objects()->link_prime(&tcx->link, link_primer);
}

}  // namespace

int tcx_link_attach(net_device *dev, const tcx_link_create_attr *attr, bpf_prog *prog)
{
	LinkPrimer link_primer;
	tcx_link *tcx;
	int ret;

	rtnl_lock();
	// model: kzalloc(); the object table owns the link from here on.
	tcx = new tcx_link{};
	current_objects()->link_adopt(&tcx->link, tcx_link_destroy);
	ret = tcx_link_init(tcx, &link_primer, dev, prog);
	if (ret)
		goto out;
	ret = tcx_link_prog_attach(&tcx->link, attr->flags,
				   attr->relative_fd,
				   attr->expected_revision);
	if (ret) {
		tcx->dev = nullptr;
		current_objects()->link_cleanup(&link_primer);
		goto out;
	}
	ret = current_objects()->link_settle(&link_primer);
out:
	rtnl_unlock();
	return ret;
}

// ---- net/sched/sch_ingress.c -----------------------------------------------------

int tcx_ingress_init(net_device *dev)
{
	bpf_mprog_entry *entry;
	bool created;

	dev->ingress_queue++;			// net_inc_ingress_queue()

	entry = tcx_entry_fetch_or_create(dev, true, &created);
	if (!entry)
		return -ENOMEM;
	tcx_miniq_inc(entry);
	// model: mini_qdisc_pair_init(&q->miniqp, sch, &tcx_entry(entry)->miniq) only
	// records where the qdisc's filters would go.
	if (created)
		tcx_entry_update(dev, entry, true);
	return 0;
}

void tcx_ingress_destroy(net_device *dev)
{
	bpf_mprog_entry *entry;

	// model: the qdisc releasing its hold is one that took it (the harness pairs
	// each destroy with an earlier init), so mini_qdisc_pair_inited(&q->miniqp) holds.
	entry = dev->tcx_ingress;		// rtnl_dereference
	// model: only a broken variant can have freed the entry under the hold; the
	// kernel would go on with a stale pointer, the model warns and stops here.
	if (!WARN_ON_ONCE(!entry)) {
		tcx_miniq_dec(entry);
		if (!tcx_entry_is_active(entry)) {
			tcx_entry_update(dev, nullptr, true);
			tcx_entry_free(entry);
		}
	}

	dev->ingress_queue--;			// net_dec_ingress_queue()
}

// ---- net/core/dev.c --------------------------------------------------------------

void tcx_run(net_device *dev, std::vector<u32> *ran)
{
	const bpf_mprog_fp *fp;
	const bpf_prog *prog;
	bpf_mprog_entry *entry;

	rcu_read_lock();
	entry = rcu_dereference(dev->tcx_ingress);	// rcu_dereference_bh
	if (mutant_active(Mutant::kReaderUnlocksEarly))
		rcu_read_unlock();
	if (entry) {
		bpf_mprog_foreach_prog(entry, fp, prog) {
			// bpf_prog_run(prog, skb): the program object is touched.
			// model: every program returns TCX_NEXT, so the walk never stops early.
			kernel_hooks()->access(MemAccess::kProgRun, prog);
			ran->push_back(prog->model_id);
			if (mutant_active(Mutant::kReaderReloadsEntry)) {
				bpf_mprog_entry *again = rcu_dereference(dev->tcx_ingress);
				if (!again)
					break;
				fp = &again->fp_items[fp - entry->fp_items];
				entry = again;
			}
		}
	}
	if (!mutant_active(Mutant::kReaderUnlocksEarly))
		rcu_read_unlock();
}
// clang-format on

}  // namespace mprogsim::upstream
