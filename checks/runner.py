"""Run checks concurrently, each with its own timeout, handing every Result to a callback as soon
as it is ready. One broken or hung check never stops the others.

Each check runs in a daemon thread (a hung probe cannot block the program from exiting); when it
outlives its timeout the runner cancels its context, which kills every child process it started,
and reports ``unknown`` with the reason. Any exception becomes an ``error`` result with the
traceback in its facts.
"""

from __future__ import annotations

import contextvars
import queue
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from datetime import datetime

from checks.context import CheckContext, Options, RunShared, is_admin
from checks.model import CheckSpec, Result, Status, current_platform

ResultCallback = Callable[[Result], None]


def _now() -> datetime:
    return datetime.now().astimezone()


def _stamp(result: Result, started: datetime, t0: float) -> Result:
    from dataclasses import replace

    return replace(result, started_at=started, duration_ms=int((time.monotonic() - t0) * 1000))


def _plain(spec: CheckSpec, status: Status, reason: str, facts: dict, **params) -> Result:
    return Result(id=spec.id, status=status, reason=reason, params=params, facts=facts)


def precheck(spec: CheckSpec, options: Options, platform: str, admin: bool) -> Result | None:
    """A ``skipped`` result when the check must not run here, else None."""
    if platform not in spec.platforms:
        return _plain(
            spec,
            Status.SKIPPED,
            "not_this_platform",
            {"reason": "platform", "platform": platform},
        )
    if spec.needs_network and not options.network:
        return _plain(
            spec,
            Status.SKIPPED,
            "network_off",
            {"reason": "network lookups not allowed"},
        )
    if spec.needs_admin and not admin:
        return _plain(
            spec,
            Status.SKIPPED,
            "needs_admin",
            {"reason": "needs administrator rights"},
        )
    return None


def run_checks(
    specs: Iterable[CheckSpec],
    options: Options | None = None,
    on_result: ResultCallback | None = None,
    *,
    platform: str | None = None,
    admin: bool | None = None,
    cancel: threading.Event | None = None,
) -> list[Result]:
    """Run ``specs`` concurrently; return results in spec order."""
    specs = list(specs)
    options = options or Options()
    platform = platform or current_platform()
    admin = is_admin() if admin is None else admin
    done: queue.Queue[tuple[int, Result]] = queue.Queue()
    results: dict[int, Result] = {}
    running: dict[int, tuple[CheckContext, float]] = {}  # index -> (context, deadline)
    started_at: dict[int, datetime] = {}
    shared = RunShared()

    def deliver(index: int, result: Result) -> None:
        results[index] = result
        if on_result is not None:
            on_result(result)

    def work(index: int, spec: CheckSpec, ctx: CheckContext, started: datetime, t0: float):
        try:
            result = spec.run(ctx)
            if result.id != spec.id:
                raise ValueError(f"check {spec.id} returned a result for {result.id}")
            result = _stamp(result, started, t0)
        except Exception as exc:  # the contract: any exception becomes an error result
            result = _stamp(
                _plain(
                    spec,
                    Status.ERROR,
                    "check_error",
                    {
                        "exception": f"{type(exc).__name__}: {exc}",
                        "traceback": traceback.format_exc(),
                    },
                ),
                started,
                t0,
            )
        done.put((index, result))

    for index, spec in enumerate(specs):
        skipped = precheck(spec, options, platform, admin)
        if skipped is not None:
            deliver(index, _stamp(skipped, _now(), time.monotonic()))
            continue
        ctx = CheckContext(options=options, admin=admin, shared=shared)
        t0 = time.monotonic()
        started_at[index] = _now()
        running[index] = (ctx, t0 + spec.timeout_for(options))
        thread = threading.Thread(
            target=contextvars.copy_context().run,
            args=(work, index, spec, ctx, started_at[index], t0),
            name=f"check-{spec.id}",
            daemon=True,
        )
        thread.start()

    while running:
        if cancel is not None and cancel.is_set():
            for index, (ctx, _deadline) in list(running.items()):
                ctx.cancel()
                spec = specs[index]
                deliver(
                    index,
                    _plain(
                        spec,
                        Status.UNKNOWN,
                        "cancelled",
                        {"reason": "cancelled"},
                    ),
                )
            running.clear()
            break
        next_deadline = min(deadline for _ctx, deadline in running.values())
        wait = max(0.0, min(next_deadline - time.monotonic(), 0.2))
        try:
            index, result = done.get(timeout=wait)
        except queue.Empty:
            now = time.monotonic()
            for index, (ctx, deadline) in list(running.items()):
                if now >= deadline:
                    ctx.cancel()
                    del running[index]
                    spec = specs[index]
                    limit = spec.timeout_for(options)
                    deliver(
                        index,
                        Result(
                            id=spec.id,
                            status=Status.UNKNOWN,
                            reason="timed_out",
                            params={"seconds": limit},
                            facts={"reason": "timed out", "timeout_s": limit},
                            started_at=started_at[index],
                            duration_ms=int(limit * 1000),
                        ),
                    )
            continue
        if index in running:  # a late answer from a check already timed out is dropped
            del running[index]
            deliver(index, result)

    return [results[i] for i in sorted(results)]
