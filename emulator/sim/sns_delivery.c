/* The SNS delivery thread: Lambda and HTTP deliveries leave Publish at once and run
 * here, one after another in publish order, as SNS delivers to those endpoints
 * asynchronously (Publish returns before the function runs). gh_sns_drain lets tests
 * and `gatehouse test` wait for what was queued; gh_sns_free stops the thread, dropping
 * what is still queued. */
#include <stdlib.h>

#include "sim/sns_impl.h"
#include "util/log.h"

static void free_job(sns_job *j)
{
    if (!j)
        return;
    free(j->target);
    free(j->body);
    if (j->headers)
        for (char **h = j->headers; *h; h++)
            free(*h);
    free(j->headers);
    free(j);
}

static void run_job(gh_sns *s, const gh_sns_delivery *d, bool has, sns_job *j)
{
    (void)s;
    if (!has || (j->lambda ? !d->lambda : !d->http)) {
        gh_log(GH_LOG_WARN, "sns: no %s delivery configured; dropped the notification for %s",
               j->lambda ? "Lambda" : "HTTP", j->target);
        return;
    }
    int rc = j->lambda ? d->lambda(d->ud, j->target, j->body)
                       : d->http(d->ud, j->target, j->body, (const char *const *)j->headers);
    if (rc)
        gh_log(GH_LOG_WARN, "sns: delivery to %s failed", j->target);
}

static void *delivery_main(void *arg)
{
    gh_sns *s = arg;
    pthread_mutex_lock(&s->dmu);
    for (;;) {
        while (!s->head && !s->stop)
            pthread_cond_wait(&s->dwake, &s->dmu);
        if (s->stop)
            break;
        sns_job *j = s->head;
        s->head = j->next;
        if (!s->head)
            s->tail = NULL;
        gh_sns_delivery d = s->delivery;
        bool has = s->has_delivery;
        pthread_mutex_unlock(&s->dmu);
        run_job(s, &d, has, j);
        free_job(j);
        pthread_mutex_lock(&s->dmu);
        s->done++;
        pthread_cond_broadcast(&s->ddone);
    }
    pthread_mutex_unlock(&s->dmu);
    return NULL;
}

int gh_sns_delivery_start(gh_sns *s)
{
    pthread_mutex_init(&s->dmu, NULL);
    pthread_cond_init(&s->dwake, NULL);
    pthread_cond_init(&s->ddone, NULL);
    return pthread_create(&s->thread, NULL, delivery_main, s) ? -1 : 0;
}

void gh_sns_delivery_stop(gh_sns *s)
{
    pthread_mutex_lock(&s->dmu);
    s->stop = true;
    pthread_cond_broadcast(&s->dwake);
    pthread_mutex_unlock(&s->dmu);
    pthread_join(s->thread, NULL);
    while (s->head) {
        sns_job *j = s->head;
        s->head = j->next;
        free_job(j);
    }
    s->tail = NULL;
    pthread_cond_destroy(&s->dwake);
    pthread_cond_destroy(&s->ddone);
    pthread_mutex_destroy(&s->dmu);
}

void gh_sns_delivery_enqueue(gh_sns *s, sns_job *job)
{
    job->next = NULL;
    pthread_mutex_lock(&s->dmu);
    if (s->tail)
        s->tail->next = job;
    else
        s->head = job;
    s->tail = job;
    s->queued++;
    pthread_cond_signal(&s->dwake);
    pthread_mutex_unlock(&s->dmu);
}

void gh_sns_drain(gh_sns *s)
{
    pthread_mutex_lock(&s->dmu);
    uint64_t target = s->queued;
    while (s->done < target && !s->stop)
        pthread_cond_wait(&s->ddone, &s->dmu);
    pthread_mutex_unlock(&s->dmu);
}

void gh_sns_set_delivery(gh_sns *s, const gh_sns_delivery *d)
{
    pthread_mutex_lock(&s->dmu);
    s->has_delivery = d != NULL;
    if (d)
        s->delivery = *d;
    pthread_mutex_unlock(&s->dmu);
}
