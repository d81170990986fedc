"""What the API fuzzing leaves for the lead: how many Schemathesis cases ran, per role."""

from collections import Counter

CASES_RUN: Counter = Counter()


def pytest_terminal_summary(terminalreporter):
    if not CASES_RUN:
        return
    per_role = ", ".join(f"{role} {count}" for role, count in sorted(CASES_RUN.items()))
    terminalreporter.write_line(f"schemathesis: {sum(CASES_RUN.values())} cases run ({per_role})")
