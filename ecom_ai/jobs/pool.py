"""A prefork pool whose processes may be SIGKILLed at any moment (the OOM killer) without wedging the worker.

Celery's prefork pool has two modes. With Redis or RabbitMQ (transports with an event loop) every pool
process has pipes of its own. With a polling transport (kombu's filesystem broker, the demo's default)
it is billiard's blocking ``Pool``: all pool processes read their jobs from ONE shared pipe, under a
lock (a POSIX semaphore), and an idle process keeps that lock *while it waits* for its next job. A
process killed while idle (between two tasks) dies holding the lock; no other process can ever read
again, and the worker keeps the messages it reserved without running them: ``inspect reserved`` lists
them, ``inspect active`` is empty, and with ``acks_late`` no message comes back (benchmarks/worker_kills.py
measures it). Nothing on the worker's side notices: it is alive and answers pings.

Here an idle process waits for data *without* the lock (``poll``), takes the lock only to read a message
that is already in the pipe, and writes its pid into shared memory while it holds it; when the pool's
supervisor finds a process gone, it releases the lock if that process held it. Use it with
``CELERY_WORKER_POOL = "ecom_ai.jobs.pool:TaskPool"`` (or ``celery worker -P ecom_ai.jobs.pool:TaskPool``);
with an event-loop transport it is Celery's own prefork pool, unchanged.
"""
from __future__ import annotations

import logging
import os
import pickle

from billiard import pool as billiard_pool
from celery.concurrency.prefork import TaskPool as PreforkTaskPool

log = logging.getLogger(__name__)


class Worker(billiard_pool.Worker):
    """A pool process that holds the shared inqueue's lock only while it reads a waiting message."""

    def _make_recv_method(self, conn):
        holder = getattr(conn, "ecom_ai_lock_holder", None)
        if holder is None:
            return super()._make_recv_method(conn)
        reader, lock, pid = conn._reader, conn._rlock, os.getpid()

        def _recv(timeout, loads=pickle.loads):
            if not reader.poll(timeout):
                return False, None
            if not lock.acquire(timeout=timeout):
                return False, None  # another process is reading this message
            holder.value = pid
            try:
                if not reader.poll(0):
                    return False, None  # the other process took it
                return True, loads(reader.recv_bytes())
            finally:
                holder.value = 0
                lock.release()

        return _recv


class Pool(billiard_pool.Pool):
    """billiard's blocking pool with :class:`Worker`, and the lock of a process killed while reading freed."""

    Worker = Worker

    def _setup_queues(self):
        super()._setup_queues()
        self._inqueue.ecom_ai_lock_holder = self._ctx.RawValue("i", 0)

    def _join_exited_workers(self, shutdown=False):
        holder = getattr(self._inqueue, "ecom_ai_lock_holder", None)
        if holder is not None and holder.value:
            gone = {w.pid for w in self._pool if w.exitcode is not None}
            if holder.value in gone:
                log.warning("pool process %s died holding the job queue's lock; lock released", holder.value)
                holder.value = 0
                self._inqueue._rlock.release()
        return super()._join_exited_workers(shutdown)


class TaskPool(PreforkTaskPool):
    """Celery's prefork pool; its blocking variant (polling transports) is :class:`Pool`."""

    BlockingPool = Pool
