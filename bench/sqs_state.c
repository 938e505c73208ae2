/* The cost of --state per SQS operation, in-process: N SendMessage, N/10 ReceiveMessage of
 * 10 and N DeleteMessage on one standard queue, on one thread, first in memory, then with
 * the SQLite store of sim/store.h in a fresh directory. Prints operations per second of
 * each kind for both. Usage: gh_bench_sqs_state DIR [N] (DIR: an empty scratch folder). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim/sim.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int run(const char *dir, int n, double out[3])
{
    gh_sim *sim = gh_sim_new("us-east-1", "123456789012");
    char err[512];
    if (!sim || (dir && gh_sim_open_state(sim, dir, err, sizeof err) != 0)) {
        fprintf(stderr, "gh_bench_sqs_state: %s\n", dir ? err : "out of memory");
        return -1;
    }
    gh_sqs_error e;
    gh_sqs_create_queue(sim->sqs, "bench", NULL, 0, &e);
    static const char body[] = "{\"orderId\":\"o-17\",\"items\":[\"tea\",\"cake\"],\"total\":12.5}";
    gh_sqs_attr attr = {.name = "kind", .data_type = "String", .string_value = "order"};
    gh_sqs_send m = {.body = body,
                     .body_len = sizeof body - 1,
                     .delay_seconds = -1,
                     .attrs = &attr,
                     .nattrs = 1};
    gh_sqs_sent sent;
    double t = now_s();
    for (int i = 0; i < n; i++)
        if (gh_sqs_send_message(sim->sqs, "bench", &m, &sent, &e) != 0)
            return -1;
    out[0] = n / (now_s() - t);
    char **handles = malloc((size_t)n * sizeof *handles);
    size_t got = 0;
    gh_sqs_receive r = {.max_messages = 10, .visibility_timeout = 300, .wait_seconds = 0};
    t = now_s();
    int receives = 0;
    while (got < (size_t)n) {
        gh_sqs_message *msgs;
        size_t k;
        if (gh_sqs_receive_messages(sim->sqs, "bench", &r, &msgs, &k, &e) != 0 || k == 0)
            return -1;
        for (size_t i = 0; i < k; i++)
            handles[got++] = strdup(msgs[i].receipt_handle);
        gh_sqs_messages_free(msgs, k);
        receives++;
    }
    out[1] = receives / (now_s() - t);
    t = now_s();
    for (size_t i = 0; i < got; i++)
        gh_sqs_delete_message(sim->sqs, "bench", handles[i], &e);
    out[2] = n / (now_s() - t);
    for (size_t i = 0; i < got; i++)
        free(handles[i]);
    free(handles);
    gh_sim_free(sim);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: gh_bench_sqs_state DIR [N]\n");
        return 2;
    }
    int n = argc > 2 ? atoi(argv[2]) : 20000;
    double mem[3], disk[3];
    if (run(NULL, n, mem) != 0 || run(argv[1], n, disk) != 0)
        return 1;
    printf("| operation | in memory (ops/s) | --state (ops/s) |\n|---|---|---|\n");
    static const char *const names[3] = {"SendMessage", "ReceiveMessage (10 each)",
                                         "DeleteMessage"};
    for (int i = 0; i < 3; i++)
        printf("| %s | %.0f | %.0f |\n", names[i], mem[i], disk[i]);
    return 0;
}
