"""Draw the house from the code's imports: which app imports which, floor by floor.

    .venv/bin/python scripts/house.py

Reads the import graph with grimp (the library under import-linter, whose contracts in
pyproject.toml enforce the same order) and prints one line per app, top floor first, with the
apps it imports and how many imports each arrow stands for; an arrow up a floor is marked
"UP", and the exit status is 1 when there is one. Imports inside functions count; imports
only for type checkers do not.
"""

import sys
from collections import Counter
from pathlib import Path

import grimp

# Bottom floor first (README, "Layout").
FLOORS = ["portal", "taxonomy", "accounts", "catalogue", "sourcing", "matchmaking", "counsellors", "deals", "digests", "home"]


def app_of(module: str) -> str:
    return module.split(".", 1)[0]


def main() -> int:
    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root))
    floors = [app for app in FLOORS if (root / app / "__init__.py").exists()]
    graph = grimp.build_graph(*floors, cache_dir=None, exclude_type_checking_imports=True)
    arrows: Counter[tuple[str, str]] = Counter()
    for importer in graph.modules:
        for imported in graph.find_modules_directly_imported_by(importer):
            source, target = app_of(importer), app_of(imported)
            if source != target and target in floors:
                arrows[(source, target)] += (
                    len(graph.get_import_details(importer=importer, imported=imported)) or 1
                )
    floor = {app: number for number, app in enumerate(floors)}
    upward = 0
    for app in reversed(floors):
        targets = sorted((t for s, t in arrows if s == app), key=floor.get, reverse=True)
        parts = []
        for target in targets:
            up = floor[target] > floor[app]
            upward += up
            parts.append(f"{target} ({arrows[(app, target)]}){' UP' if up else ''}")
        print(f"{floor[app] + 1}  {app:<12} -> {', '.join(parts) or '-'}")
    print(f"{len(arrows)} arrows between apps, {upward} up a floor")
    return 1 if upward else 0


if __name__ == "__main__":
    sys.exit(main())
