/* SPDX-License-Identifier: MIT */
/*
 * The logger type of Xen's libraries.  The simulated libraries accept a
 * logger argument for source compatibility and ignore it: they report
 * failures through return values and errno only.  Headers only.
 */
#ifndef XENSIM_XENTOOLLOG_H
#define XENSIM_XENTOOLLOG_H

struct xentoollog_logger;
typedef struct xentoollog_logger xentoollog_logger;

#endif /* XENSIM_XENTOOLLOG_H */
