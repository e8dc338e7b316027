/*
 * worker.c — a one-slot hand-off to a background thread (see core.h, skm_worker).
 *
 * The slot holds at most one job. submit waits until the slot is empty, i.e. until the previous
 * job has finished, not merely been taken: a caller that fills two buffers in turn may therefore
 * refill the first as soon as its submit of the second returns. The mutex orders every write the
 * owner made to a job before the worker reads it, and every write of the worker before the owner
 * reuses it.
 */
#include <string.h>

#include "core.h"

static void *worker_main(void *arg)
{
    skm_worker *w = arg;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->job && !w->quit)
            pthread_cond_wait(&w->cv, &w->mu);
        if (!w->job)
            break; /* asked to quit, nothing pending */
        void *job = w->job;
        int failed = w->rc != SKM_OK;
        pthread_mutex_unlock(&w->mu);
        int rc = failed ? SKM_OK : w->fn(w->arg, job);
        pthread_mutex_lock(&w->mu);
        if (rc != SKM_OK && w->rc == SKM_OK)
            w->rc = rc;
        w->job = NULL; /* only now may the job's memory be reused */
        pthread_cond_broadcast(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

void skm_worker_start(skm_worker *w, skm_job_fn fn, void *arg, int want_thread)
{
    memset(w, 0, sizeof *w);
    w->fn = fn;
    w->arg = arg;
    if (!want_thread || pthread_mutex_init(&w->mu, NULL) != 0)
        return;
    if (pthread_cond_init(&w->cv, NULL) != 0) {
        pthread_mutex_destroy(&w->mu);
        return;
    }
    if (pthread_create(&w->th, NULL, worker_main, w) != 0) {
        pthread_cond_destroy(&w->cv);
        pthread_mutex_destroy(&w->mu);
        return; /* no thread: jobs run inline, with the same results */
    }
    w->threaded = 1;
}

int skm_worker_submit(skm_worker *w, void *job)
{
    if (!w->threaded) {
        if (w->rc == SKM_OK)
            w->rc = w->fn(w->arg, job);
        return w->rc;
    }
    pthread_mutex_lock(&w->mu);
    while (w->job)
        pthread_cond_wait(&w->cv, &w->mu);
    int rc = w->rc;
    if (rc == SKM_OK) {
        w->job = job;
        pthread_cond_broadcast(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
    return rc;
}

int skm_worker_wait(skm_worker *w)
{
    if (!w->threaded)
        return w->rc;
    pthread_mutex_lock(&w->mu);
    while (w->job)
        pthread_cond_wait(&w->cv, &w->mu);
    int rc = w->rc;
    pthread_mutex_unlock(&w->mu);
    return rc;
}

void skm_worker_stop(skm_worker *w)
{
    if (!w->threaded)
        return;
    pthread_mutex_lock(&w->mu);
    w->quit = 1;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->th, NULL);
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    w->threaded = 0;
}

typedef struct range_job {
    skm_range_fn fn;
    void *arg;
    size_t begin, end;
} range_job;

static void *range_main(void *v)
{
    range_job *j = v;
    j->fn(j->arg, j->begin, j->end);
    return NULL;
}

void skm_parallel_ranges(int threads, size_t n, skm_range_fn fn, void *arg)
{
    enum { MAX_T = 256 };
    size_t T = threads < 1 ? 1 : threads > MAX_T ? MAX_T : (size_t)threads;
    if (T > n)
        T = n ? n : 1;
    range_job jobs[MAX_T];
    pthread_t th[MAX_T];
    int started[MAX_T] = {0};
    for (size_t t = 0; t < T; ++t)
        jobs[t] = (range_job){fn, arg, n / T * t + (t < n % T ? t : n % T),
                              n / T * (t + 1) + (t + 1 < n % T ? t + 1 : n % T)};
    for (size_t t = 1; t < T; ++t)
        started[t] = pthread_create(&th[t], NULL, range_main, &jobs[t]) == 0;
    range_main(&jobs[0]);
    for (size_t t = 1; t < T; ++t) {
        if (started[t])
            pthread_join(th[t], NULL);
        else
            range_main(&jobs[t]);
    }
}
