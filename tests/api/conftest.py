"""What the API fuzzing leaves for the lead: how many Schemathesis cases ran, per role, and
every server error it met (operation, input, the traceback's last frames), deduplicated."""

import traceback
from collections import Counter
from contextlib import contextmanager

from django.core.signals import got_request_exception

CASES_RUN: Counter = Counter()


class _ServerErrors:
    """Tracebacks of the exceptions the app raised while answering a fuzzing call."""

    def __init__(self):
        self.seen: dict[tuple, dict] = {}

    @contextmanager
    def recording(self, label: str, case):
        def record(sender, request=None, **kwargs):
            import sys

            exc_type, exc, tb = sys.exc_info()
            if exc is None:
                return
            frames = traceback.extract_tb(tb)
            ours = [frame for frame in frames if "/site-packages/" not in frame.filename] or frames
            where = f"{'/'.join(ours[-1].filename.rsplit('/', 2)[-2:])}:{ours[-1].lineno}"
            key = (label.split(" ", 1)[-1], exc_type.__name__, where)
            entry = self.seen.setdefault(key, {"label": label, "count": 0})
            entry["count"] += 1
            if "example" not in entry or len(repr(case.body)) < len(entry["example"]):
                entry["example"] = (
                    f"path={case.formatted_path} query={case.query!r:.300} "
                    f"media={case.media_type} body={case.body!r:.300}"
                )
                entry["error"] = f"{exc_type.__name__}: {str(exc)[:300]}"
                project = [
                    f
                    for f in frames
                    if "/site-packages/" not in f.filename and "/lib/python3" not in f.filename
                ]
                entry["frames"] = [f"{f.filename}:{f.lineno} {f.name}" for f in [*project[-3:], frames[-1]]]

        got_request_exception.connect(record)
        try:
            yield
        finally:
            got_request_exception.disconnect(record)


SERVER_ERRORS = _ServerErrors()


def pytest_terminal_summary(terminalreporter):
    if CASES_RUN:
        per_role = ", ".join(f"{role} {count}" for role, count in sorted(CASES_RUN.items()))
        terminalreporter.write_line(f"schemathesis: {sum(CASES_RUN.values())} cases run ({per_role})")
    for (operation, error, where), entry in sorted(SERVER_ERRORS.seen.items()):
        terminalreporter.write_line(
            f"server error: {operation} ({entry['label']}) x{entry['count']}: {error} at {where}"
        )
        terminalreporter.write_line(f"    {entry['error']}")
        terminalreporter.write_line(f"    {entry['example']}")
        for frame in entry["frames"]:
            terminalreporter.write_line(f"      {frame}")


def pytest_sessionfinish(session):
    """Under pytest-xdist the workers' summaries are not shown: `EB_FUZZ_LOG=path` collects
    each process's counts and server errors as JSON lines."""
    import json
    import os

    path = os.environ.get("EB_FUZZ_LOG")
    if not path or not (CASES_RUN or SERVER_ERRORS.seen):
        return
    with open(path, "a", encoding="utf-8") as log:
        log.write(json.dumps({"cases": dict(CASES_RUN)}) + "\n")
        for (operation, error, where), entry in SERVER_ERRORS.seen.items():
            log.write(json.dumps({"operation": operation, "error": error, "where": where, **entry}) + "\n")
