"""Per-key request limits: fixed one-minute windows, in Redis when configured (shared by every
replica), else in this process."""

from __future__ import annotations

import threading
import time


class RateLimiter:
    def __init__(self, per_minute: int, redis_url: str | None = None) -> None:
        self.per_minute = per_minute
        self._redis = None
        if redis_url:
            import redis

            self._redis = redis.Redis.from_url(redis_url, socket_timeout=0.5)
        self._counts: dict[tuple[str, int], int] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        window = int(time.time() // 60)
        if self._redis is not None:
            try:
                name = f"kefu:rate:{key}:{window}"
                count = self._redis.incr(name)
                if count == 1:
                    self._redis.expire(name, 120)
                return count <= self.per_minute
            except Exception:  # Redis down: fall back to this process's counters rather than refuse service
                pass
        with self._lock:
            for stale in [k for k in self._counts if k[1] < window]:
                del self._counts[stale]
            self._counts[(key, window)] = self._counts.get((key, window), 0) + 1
            return self._counts[(key, window)] <= self.per_minute
