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
    parser.add_argument("--post-json", default=None, help="POST this JSON with an API token")
    parser.add_argument("path")
    args = parser.parse_args(argv)
    from pyinstrument import Profiler

    app = app_for(args.database_url)
    app.config.update(WTF_CSRF_ENABLED=False)
    client = app.test_client()
    response = client.post("/login", data={"username": args.user, "password": PASSWORD})
    if response.status_code != 302:
        raise SystemExit(f"login failed: HTTP {response.status_code}")

    def call():
        if args.post_json is None:
            return client.get(args.path)
        return client.post(args.path, data=args.post_json, headers=headers)

    headers = {"Content-Type": "application/json"}
    if args.post_json is not None:
        headers["Authorization"] = f"Bearer {_token(app, args.user)}"
    response = call()
    print(f"{args.path}: HTTP {response.status_code}, {len(response.data)} bytes")
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(args.repeat):
        call()
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False, show_all=False))
    return 0


def _token(app, username: str) -> str:
    from sqlalchemy import select

    from corrections.auth.models import User
    from corrections.auth.services import issue_token
    from corrections.extensions import db

    with app.app_context():
        user = db.session.execute(select(User).where(User.username == username)).scalar_one()
        secret = issue_token(user, user, "profile")[1]
        db.session.commit()
        return secret


if __name__ == "__main__":
    sys.exit(main())
