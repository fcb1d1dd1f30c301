/*
** scale_hatd.h: hatd's own memory under each long read (issue 12, item 2).
**
** Starts hatd on a scratch copy of a clinic (the reads write their
** access-log rows), logs in as the demo's auditor and manager, and asks each
** long read in turn: the audit and access logs (a page each), the exports,
** the reports, the register's year and one person's FHIR record.  Before
** each, hatd's peak resident set (VmHWM in /proc/PID/status) is reset
** (writing 5 to /proc/PID/clear_refs); after it, the peak is what that one
** request took hatd to.  When the kernel refuses the reset, the figure is
** the growth of the peak instead and says so.
*/
#ifndef HAT_BENCH_SCALE_HATD_H
#define HAT_BENCH_SCALE_HATD_H

#include <stdbool.h>
#include <stdint.h>

#define SCALE_HATD_MAX 24

struct scale_hatd_read {
	char name[48];
	int status;          /* HTTP status; 0 when no answer came */
	long long bytes;     /* of the answer's body */
	double ms;
	double rss_mib;      /* hatd's resident set just before */
	double peak_mib;     /* its peak while answering */
};

struct scale_hatd {
	struct scale_hatd_read r[SCALE_HATD_MAX];
	int n;
	bool reset;          /* VmHWM was reset before each read */
	double idle_mib;     /* hatd's resident set after start and logins */
};

/* Runs the reads against hatd (the binary at hatd_path) on db, a scratch
** copy, whose "today" is today (a local day number).  0, or 2 when hatd
** would not start or a login was refused (a read's own failure is only
** its status). */
int scale_hatd_memory(const char *hatd_path, const char *db, int32_t today, struct scale_hatd *out);

#endif
