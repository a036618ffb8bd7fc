/* Minimal test harness for the plain-C tests: CHECK records a pass or a
 * failure with its location; seg_test_report prints "N passed, N failed". */
#ifndef SEG_TEST_H
#define SEG_TEST_H
#include <math.h>
#include <stdio.h>
#include <string.h>

static int seg_test_passed = 0;
static int seg_test_failed = 0;

#define CHECK(cond)                                                                      \
    do {                                                                                 \
        if (cond) {                                                                      \
            seg_test_passed++;                                                           \
        } else {                                                                         \
            seg_test_failed++;                                                           \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);     \
        }                                                                                \
    } while (0)

#define CHECK_CLOSE(a, b, tol) CHECK(fabs((double)(a) - (double)(b)) <= (tol))

/* A seg_detail filled by a failing kernel: its reason contains `text` and
 * it names element `idx` (-1: none). */
#define CHECK_WHY(why, text, idx)                                                        \
    CHECK((why).reason != NULL && strstr((why).reason, (text)) != NULL &&                \
          (why).index == (idx))

static int seg_test_report(void) {
    printf("%d passed, %d failed\n", seg_test_passed, seg_test_failed);
    return seg_test_failed != 0;
}
#endif
