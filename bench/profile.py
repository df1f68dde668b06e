"""Profile one request in-process with pyinstrument (finding out why a target is missed).

    python -m bench.profile --database-url URL --user sup1 /dashboard [--repeat 3]

Logs in as the generated user through the test client, makes the request once to
warm up, then ``--repeat`` times under the profiler, and prints the call tree.
"""

from __future__ import annotations

import argparse
import sys

from bench.run import PASSWORD, app_for


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--user", default="sup1")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("path")
    args = parser.parse_args(argv)
    from pyinstrument import Profiler

    app = app_for(args.database_url)
    app.config.update(WTF_CSRF_ENABLED=False)
    client = app.test_client()
    response = client.post("/login", data={"username": args.user, "password": PASSWORD})
    if response.status_code != 302:
        raise SystemExit(f"login failed: HTTP {response.status_code}")
    response = client.get(args.path)
    print(f"GET {args.path}: HTTP {response.status_code}, {len(response.data)} bytes")
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(args.repeat):
        client.get(args.path)
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False, show_all=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
