"""The runner's own answers: why a check was skipped, what an error records, how long a check
took. Written after mutation testing (docs/mutation.md): the runner tests checked statuses but
not the reasons and facts the window and the bundle show."""

import time

from checks.context import Options
from checks.model import CheckSpec, Result, Status
from checks.runner import precheck, run_checks


def spec(run, **kw):
    return CheckSpec(kw.pop("id", "X-TEST"), "Test", run, **kw)


def ok(ctx):
    return Result("X-TEST", Status.PASS, "fine", {"n": 1})


def test_why_a_check_is_skipped():
    s = spec(ok, platforms=frozenset({"windows"}))
    r = precheck(s, Options(), "linux", True)
    assert (r.id, r.status, r.reason, r.params, r.facts) == (
        "X-TEST",
        Status.SKIPPED,
        "not_this_platform",
        {},
        {"reason": "platform", "platform": "linux"},
    )
    r = precheck(spec(ok, needs_network=True), Options(network=False), "linux", True)
    assert (r.status, r.reason, r.facts) == (
        Status.SKIPPED,
        "network_off",
        {"reason": "network lookups not allowed"},
    )
    r = precheck(spec(ok, needs_admin=True), Options(), "linux", False)
    assert (r.status, r.reason, r.facts) == (
        Status.SKIPPED,
        "needs_admin",
        {"reason": "needs administrator rights"},
    )
    assert precheck(spec(ok, needs_admin=True), Options(), "linux", True) is None
    assert precheck(spec(ok, needs_network=True), Options(network=True), "linux", True) is None


def test_defaults_and_a_stamped_result():
    t0 = time.monotonic()
    (result,) = run_checks([spec(ok)], admin=True)
    assert (result.status, result.reason, result.params) == (Status.PASS, "fine", {"n": 1})
    assert result.started_at is not None and result.started_at.tzinfo is not None
    assert 0 <= result.duration_ms <= (time.monotonic() - t0) * 1000 + 1


def test_a_check_that_answers_for_another_is_an_error_that_says_so():
    def wrong(ctx):
        return Result("OTHER", Status.PASS, "fine")

    (result,) = run_checks([spec(wrong)], platform="linux", admin=True)
    assert (result.id, result.status, result.reason) == ("X-TEST", Status.ERROR, "check_error")
    assert result.facts["exception"] == "ValueError: check X-TEST returned a result for OTHER"
    assert "Traceback" in result.facts["traceback"] and result.params == {}


def test_skipped_checks_get_a_time_and_come_back_in_order():
    specs = [
        spec(ok, id="A", platforms=frozenset({"macos"})),
        spec(lambda ctx: Result("B", Status.WARN, "meh"), id="B"),
    ]
    results = run_checks(specs, Options(), platform="linux", admin=False)
    assert [(r.id, r.status) for r in results] == [("A", Status.SKIPPED), ("B", Status.WARN)]
    assert results[0].started_at is not None and results[0].duration_ms >= 0


def test_a_timed_out_check_says_its_limit():
    def slow(ctx):
        ctx.sleep(5)
        return Result("X-TEST", Status.PASS, "late")

    (result,) = run_checks([spec(slow, timeout=0.3)], platform="linux", admin=True)
    assert (result.status, result.reason, result.params) == (
        Status.UNKNOWN,
        "timed_out",
        {"seconds": 0.3},
    )
    assert result.facts == {"reason": "timed out", "timeout_s": 0.3}
    assert result.duration_ms == 300


def test_each_check_gets_the_runs_options_rights_and_one_shared_store():
    seen = []

    def look(ctx):
        seen.append((ctx.options, ctx.admin, ctx.shared))
        return Result("X-TEST", Status.PASS, "fine")

    options = Options(network=True)
    run_checks([spec(look), spec(look)], options, admin=False, platform="linux")
    assert [(o, a) for o, a, _s in seen] == [(options, False), (options, False)]
    assert seen[0][2] is seen[1][2] and seen[0][2] is not None


def test_a_failing_check_records_what_failed_and_how_long_it_ran():
    def broken(ctx):
        time.sleep(0.05)
        raise RuntimeError("probe went away")

    (result,) = run_checks([spec(broken)], admin=True)
    assert (result.id, result.status, result.reason, result.params) == (
        "X-TEST",
        Status.ERROR,
        "check_error",
        {},
    )
    assert result.facts["exception"] == "RuntimeError: probe went away"
    assert "Traceback" in result.facts["traceback"]
    assert 50 <= result.duration_ms < 5000 and result.started_at is not None


def test_a_watching_check_is_given_its_watch_on_top_of_its_limit():
    def slow(ctx):
        time.sleep(0.6)
        return Result("X-TEST", Status.PASS, "fine")

    quick = spec(slow, timeout=0.2, uses_watch=True)
    (result,) = run_checks([quick], Options(watch=1.0), admin=True)
    assert result.status == Status.PASS  # 0.2 s + a 1 s watch
    (result,) = run_checks([quick], Options(watch=0.0), admin=True)
    assert (result.reason, result.params) == ("timed_out", {"seconds": 0.2})
