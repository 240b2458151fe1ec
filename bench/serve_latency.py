"""The dev server's latency from saving an article to the rebuilt pages being
ready, measured with the branchboard whose code is in CODE (for run.py, which
measures every revision this way, each in a process of its own).

    python bench/serve_latency.py CODE SITE ARTICLE SAVES

Prints the median in milliseconds; exits 3 when that code has no
measure_edit_latency.
"""

import importlib
import sys
from pathlib import Path


def main(code: str, site: str, article: str, saves: str) -> None:
    sys.path.insert(0, code)
    # c864a24 moved the serve module into a subpackage
    moved = (Path(code) / "branchboard" / "serve" / "server.py").is_file()
    module = importlib.import_module("branchboard.serve.server" if moved else "branchboard.serve")
    measure = getattr(module, "measure_edit_latency", None)
    if measure is None:
        sys.exit(3)
    print(measure(Path(site), Path(article), runs=int(saves)))


if __name__ == "__main__":
    main(*sys.argv[1:])
