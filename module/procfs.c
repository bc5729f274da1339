// SPDX-License-Identifier: GPL-2.0
/*
 * Read-only views under /proc/net/flowmeter/ of each netns.
 */
#include <linux/proc_fs.h>
#include <linux/seq_file.h>

#include "flowmeter.h"

static const char * const fm_perr_names[FM_PERR_MAX] = {
	[FM_PERR_TRUNC_L3] = "truncated_l3",
	[FM_PERR_VERSION] = "bad_version",
	[FM_PERR_IHL] = "bad_ihl",
	[FM_PERR_LEN] = "bad_length",
	[FM_PERR_EXTHDR] = "bad_ext_header",
	[FM_PERR_TRUNC_L4] = "truncated_l4",
};

static int fm_stats_show(struct seq_file *m, void *v)
{
	struct fm_net *fn = fm_pernet(seq_file_single_net(m));
	struct fm_stats s;
	int i;

	fm_stats_sum(fn, &s);
	seq_printf(m, "packets_seen %llu\n", s.pkts_seen);
	seq_printf(m, "packets_metered %llu\n", s.pkts_metered);
	seq_printf(m, "bytes_metered %llu\n", s.bytes_metered);
	seq_printf(m, "packets_fragment %llu\n", s.pkts_frag);
	seq_printf(m, "packets_no_l4 %llu\n", s.pkts_no_l4);
	for (i = 1; i < FM_PERR_MAX; i++)
		seq_printf(m, "parse_error_%s %llu\n", fm_perr_names[i],
			   s.parse_err[i]);
	return 0;
}

int fm_proc_init(struct fm_net *fn)
{
	fn->proc_dir = proc_net_mkdir(fn->net, FM_NAME, fn->net->proc_net);
	if (!fn->proc_dir)
		return -ENOMEM;
	if (!proc_create_net_single("stats", 0400, fn->proc_dir,
				    fm_stats_show, NULL))
		goto err;
	return 0;
err:
	remove_proc_subtree(FM_NAME, fn->net->proc_net);
	return -ENOMEM;
}

void fm_proc_exit(struct fm_net *fn)
{
	remove_proc_subtree(FM_NAME, fn->net->proc_net);
}
