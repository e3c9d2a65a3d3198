/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for xsim-xenbus's adaptive busy-polling (tools/xenbus/
 * busypoll.c): how the window follows the waits, and that the loop
 * stops when broken and polls only after short waits.
 */
#include <check.h>
#include <event2/event.h>
#include <stdlib.h>

#include "busypoll.h"
#include "suites.h"

#define US 1000ULL

START_TEST(grows_from_start_to_max)
{
	struct busypoll bp;

	busypoll_init(&bp, 50 * US);
	ck_assert_uint_eq(bp.window_ns, 0);
	busypoll_adapt(&bp, 20 * US);
	ck_assert_uint_eq(bp.window_ns, BUSYPOLL_GROW_START_NS);
	busypoll_adapt(&bp, 20 * US);
	ck_assert_uint_eq(bp.window_ns, 20 * US);
	busypoll_adapt(&bp, 20 * US);
	ck_assert_uint_eq(bp.window_ns, 40 * US);
	busypoll_adapt(&bp, 50 * US); /* the bound itself is short */
	ck_assert_uint_eq(bp.window_ns, 50 * US);
	busypoll_adapt(&bp, 1 * US);
	ck_assert_uint_eq(bp.window_ns, 50 * US);
}
END_TEST

START_TEST(long_wait_stops_polling)
{
	struct busypoll bp;

	busypoll_init(&bp, 50 * US);
	busypoll_adapt(&bp, 5 * US);
	busypoll_adapt(&bp, 5 * US);
	ck_assert_uint_eq(bp.window_ns, 20 * US);
	busypoll_adapt(&bp, 50 * US + 1);
	ck_assert_uint_eq(bp.window_ns, 0);
}
END_TEST

START_TEST(zero_never_polls)
{
	struct busypoll bp;

	busypoll_init(&bp, 0);
	busypoll_adapt(&bp, 0);
	ck_assert_uint_eq(bp.window_ns, 0);
	busypoll_adapt(&bp, 1);
	ck_assert_uint_eq(bp.window_ns, 0);
}
END_TEST

START_TEST(small_max_caps_the_start)
{
	struct busypoll bp;

	busypoll_init(&bp, 3 * US);
	busypoll_adapt(&bp, 1 * US);
	ck_assert_uint_eq(bp.window_ns, 3 * US);
	busypoll_adapt(&bp, 1 * US);
	ck_assert_uint_eq(bp.window_ns, 3 * US);
}
END_TEST

static int ticks, peeks;

static bool
count_peek(void)
{
	peeks++;
	return false;
}

/* Work every 1 us-ish timer tick; the loop is broken after a few. */
static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct event *ev = arg;
	struct timeval tv = {0, 100};

	(void)fd;
	(void)what;
	busypoll_note();
	if (++ticks == 20 || ticks == 120)
		event_base_loopbreak(event_get_base(ev));
	else
		evtimer_add(ev, &tv);
}

START_TEST(dispatch_polls_after_short_waits_and_stops_on_break)
{
	struct event_base *base = event_base_new();
	struct timeval tv = {0, 100};
	struct busypoll bp;
	struct event *ev;

	ck_assert_ptr_nonnull(base);
	ev = evtimer_new(base, tick_cb, event_self_cbarg());
	ck_assert_ptr_nonnull(ev);
	evtimer_add(ev, &tv);
	ticks = peeks = 0;
	busypoll_init(&bp, 1000 * 1000 * US); /* every wait is short */
	bp.peek = count_peek;
	ck_assert_int_eq(busypoll_dispatch(base, &bp), 0);
	ck_assert_int_eq(ticks, 20);
	ck_assert_uint_gt(bp.window_ns, 0);
	ck_assert_int_gt(peeks, 0);
	event_free(ev);
	event_base_free(base);
}
END_TEST

/* A peek is asked while polling, and the loop goes on after its work. */
static int found_left;

static bool
find_work(void)
{
	if (found_left == 0)
		return false;
	if (--found_left == 0)
		ticks = 100;
	return true;
}

START_TEST(peek_is_asked_while_polling)
{
	struct event_base *base = event_base_new();
	struct timeval tv = {0, 100};
	struct busypoll bp;
	struct event *ev;

	ck_assert_ptr_nonnull(base);
	ev = evtimer_new(base, tick_cb, event_self_cbarg());
	ck_assert_ptr_nonnull(ev);
	evtimer_add(ev, &tv);
	ticks = 0;
	found_left = 3;
	busypoll_init(&bp, 1000 * 1000 * US);
	bp.window_ns = 1000 * 1000 * US; /* polling from the start */
	bp.peek = find_work;
	/* Three peeks with work, then the timer's ticks: 100 to 120. */
	ck_assert_int_eq(busypoll_dispatch(base, &bp), 0);
	ck_assert_int_eq(found_left, 0);
	ck_assert_int_eq(ticks, 120);
	event_free(ev);
	event_base_free(base);
}
END_TEST

START_TEST(dispatch_with_slow_events_never_polls)
{
	struct event_base *base = event_base_new();
	struct timeval tv = {0, 100};
	struct busypoll bp;
	struct event *ev;

	ck_assert_ptr_nonnull(base);
	ev = evtimer_new(base, tick_cb, event_self_cbarg());
	ck_assert_ptr_nonnull(ev);
	evtimer_add(ev, &tv);
	ticks = peeks = 0;
	busypoll_init(&bp, 1); /* every wait is long: 1 ns */
	bp.peek = count_peek;
	ck_assert_int_eq(busypoll_dispatch(base, &bp), 0);
	ck_assert_int_eq(ticks, 20);
	ck_assert_uint_eq(bp.window_ns, 0);
	ck_assert_int_eq(peeks, 0);
	event_free(ev);
	event_base_free(base);
}
END_TEST

Suite *
busypoll_suite(void)
{
	Suite *s = suite_create("busypoll");
	TCase *tc = tcase_create("window");

	tcase_add_test(tc, grows_from_start_to_max);
	tcase_add_test(tc, long_wait_stops_polling);
	tcase_add_test(tc, zero_never_polls);
	tcase_add_test(tc, small_max_caps_the_start);
	tcase_add_test(tc, dispatch_polls_after_short_waits_and_stops_on_break);
	tcase_add_test(tc, dispatch_with_slow_events_never_polls);
	tcase_add_test(tc, peek_is_asked_while_polling);
	suite_add_tcase(s, tc);
	return s;
}
