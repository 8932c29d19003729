"""One Policy shared by many threads gives the sequential results."""

from concurrent.futures import ThreadPoolExecutor

import govstream

SECRETS = ["AKIAIOSFODNN7EXAMPLE", "jane.doe@example.com", "4111 1111 1111 1111", "078-05-1120"]


def outcome(d: govstream.Decision) -> tuple:  # type: ignore[type-arg]
    return (d.verdict, d.reason_code, d.redacted_text, [(m.rule_id, m.start, m.end, m.action) for m in d.matches])


def test_thread_pool_matches_sequential_run() -> None:
    policy = govstream.Policy.from_dict({"actions": {"prompt": {"medium": "redact"}}})
    texts = [f"{'😀' * (i % 7)} row {i}: {SECRETS[i % len(SECRETS)]} and 𝒳{i} " * (1 + i % 5) for i in range(400)]
    sequential = [outcome(policy.evaluate(t)) for t in texts]
    with ThreadPoolExecutor(max_workers=8) as pool:
        parallel = list(pool.map(lambda t: outcome(policy.evaluate(t)), texts))
        scanned = list(pool.map(policy.scan, texts))
        redacted = list(pool.map(policy.redact, texts))
    assert parallel == sequential
    assert scanned == [policy.scan(t) for t in texts]
    assert redacted == [policy.redact(t) for t in texts]
    assert any(s[0] != "allow" for s in sequential)


def test_gil_is_released_while_scanning() -> None:
    import sys
    import threading

    policy = govstream.Policy.default()
    text = "xyz jane.doe@example.com 😀 AKIAIOSFODNN7EXAMPLE " * 2000
    counter = [0]
    started = threading.Event()
    stop = threading.Event()

    def spin() -> None:
        started.set()
        while not stop.is_set():
            counter[0] += 1

    # A long switch interval means that, were the GIL held through a call,
    # the spinning thread could not run during it.
    old = sys.getswitchinterval()
    sys.setswitchinterval(0.3)
    worker = threading.Thread(target=spin)
    try:
        worker.start()
        started.wait()
        progress = []
        for call in (policy.scan, policy.redact, policy.evaluate):
            # On a busy machine the spinner may not be scheduled during one
            # call; held GIL or not is decided over several.
            gained = 0
            for _ in range(20):
                before = counter[0]
                call(text)
                gained = counter[0] - before
                if gained:
                    break
            progress.append(gained)
    finally:
        stop.set()
        worker.join()
        sys.setswitchinterval(old)
    assert all(p > 0 for p in progress), progress
