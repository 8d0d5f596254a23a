/*
 * Durability of the SQLite ledger on a full disk (issue 10): a writer whose
 * file size limit (RLIMIT_FSIZE, the same EFBIG a full disk gives) stops its
 * writes gets a clear error, and on reopening every commitment it had been
 * told was stored is there, intact, and the ledger still works. The killed
 * writer case is in test_commit.c.
 */
#include "fu_test.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[256];

static void make_dir(void) { fu_test_mkdtemp(dir, sizeof dir, "fu-durability"); }
static void remove_dir(void) { fu_test_rmtree(dir); }

static int add_one(fu_ledger *l, int i, int64_t *id) {
    char customer[32], text[600];
    snprintf(customer, sizeof customer, "C%05d", i);
    /* long texts fill the file quickly */
    snprintf(text, sizeof text, "promise %d: %0500d", i, i);
    fu_commit_input in = FU_COMMIT_INPUT_INIT;
    in.customer_id = customer;
    in.text = text;
    in.category = "repair";
    in.owner = "service";
    in.created_at = 1767225600 + i;
    in.promised.value = 86400;
    in.promised.unit = FU_DURATION_SECONDS;
    return fu_ledger_add(l, &in, id);
}

Test(durability, full_disk_gives_a_clear_error_and_keeps_what_was_acknowledged) {
    make_dir();
    char path[300];
    snprintf(path, sizeof path, "%s/ledger.db", dir);

    /* the writer: a child process with a 2 MiB file size limit */
    int pipefd[2];
    cr_assert_eq(pipe(pipefd), 0);
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        close(pipefd[0]);
        signal(SIGXFSZ, SIG_IGN); /* writes past the limit fail with EFBIG */
        struct rlimit rl = {2 * 1024 * 1024, 2 * 1024 * 1024};
        setrlimit(RLIMIT_FSIZE, &rl);
        fu_ledger *l = NULL;
        if (fu_ledger_open(&l, path, NULL) != FU_OK) _exit(2);
        int code = 3;
        for (int i = 0; i < 100000; i++) {
            int64_t id = 0;
            int rc = add_one(l, i, &id);
            if (rc != FU_OK) {
                /* report the error code and message, then stop */
                char msg[512];
                fu_error_format(msg, sizeof msg);
                dprintf(pipefd[1], "ERR %d %s\n", rc, msg);
                code = 0;
                break;
            }
            dprintf(pipefd[1], "ACK %lld %d\n", (long long)id, i);
        }
        fu_ledger_close(l);
        close(pipefd[1]);
        _exit(code);
    }
    close(pipefd[1]);
    FILE *f = fdopen(pipefd[0], "r");
    char line[700];
    long long acked[100000];
    int nacked = 0, err = 0;
    char errline[700] = "";
    while (fgets(line, sizeof line, f)) {
        long long id;
        int i;
        if (sscanf(line, "ACK %lld %d", &id, &i) == 2) {
            acked[nacked++] = id;
        } else if (strncmp(line, "ERR ", 4) == 0) {
            err = atoi(line + 4);
            snprintf(errline, sizeof errline, "%s", line);
        }
    }
    fclose(f);
    int status = 0;
    waitpid(pid, &status, 0);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "writer status %d", status);
    cr_assert_gt(nacked, 10, "some commitments were stored before the disk filled: %d, %s", nacked, errline);
    cr_assert(err == FU_EDB || err == FU_EIO, "error code %d: %s", err, errline);
    cr_assert(strstr(errline, "full") || strstr(errline, "disk") || strstr(errline, "large") ||
                  strstr(errline, "I/O"),
              "the message says what happened: %s", errline);

    /* reopen without the limit: every acknowledged commitment is there */
    fu_ledger *l = NULL;
    cr_assert_eq(fu_ledger_open(&l, path, NULL), FU_OK, "%s", fu_error_last()->message);
    fu_commit_query q = FU_COMMIT_QUERY_INIT;
    size_t n = 0;
    cr_assert_eq(fu_ledger_count(l, &q, &n), FU_OK);
    cr_assert_eq(n, (size_t)nacked, "stored %zu, acknowledged %d", n, nacked);
    for (int i = 0; i < nacked; i += nacked / 10 + 1) {
        fu_commitment_list *one = NULL;
        cr_assert_eq(fu_ledger_get(l, acked[i], &one), FU_OK);
        const fu_commitment *c = fu_commitment_list_get(one, 0);
        char expect[32];
        snprintf(expect, sizeof expect, "promise %d: ", i);
        cr_assert(strncmp(c->text, expect, strlen(expect)) == 0, "text intact: %.40s", c->text);
        fu_commitment_list_free(one);
    }
    /* and it still takes writes */
    int64_t id = 0;
    cr_assert_eq(add_one(l, nacked, &id), FU_OK, "%s", fu_error_last()->message);
    cr_assert_gt(id, acked[nacked - 1]);
    fu_ledger_close(l);
    remove_dir();
}
