"""`python -m palette_emulator --port 8765 [--host 127.0.0.1] [--import-polls 2] [--pool-polls 1]`."""

from __future__ import annotations

import argparse

import uvicorn

from .app import create_app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="palette_emulator", description="A local Palette API emulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--import-polls", type=int, default=2, help="cluster reads until Running/Healthy")
    parser.add_argument("--pool-polls", type=int, default=1, help="pool reads until Running")
    args = parser.parse_args(argv)
    app = create_app(import_polls=args.import_polls, pool_polls=args.pool_polls)
    uvicorn.run(app, host=args.host, port=args.port, log_level="info")


if __name__ == "__main__":
    main()
