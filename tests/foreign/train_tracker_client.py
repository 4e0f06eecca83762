#!/usr/bin/env python3
"""Asks a Train Tracker server with python-cta's CTAClient, given nothing but another base URL,
and prints one JSON line: what the client made of each answer (its DataFrames as records, or
the error it raised).
"""
import argparse
import json
import sys

import pandas as pd
from cta import CTAClient, Route

# Columns the client derives from the wall clock, which says nothing about the server.
WALL_CLOCK_COLUMNS = ["mins_til_arrival", "mins_since_prediction"]


def records(response):
    frame = response.to_frame().drop(columns=WALL_CLOCK_COLUMNS, errors="ignore")
    return [
        {name: None if pd.isna(value) else str(value) for name, value in row.items()}
        for row in frame.to_dict("records")
    ]


def attempt(call):
    try:
        return {"records": records(call())}
    except Exception as error:  # the client's own exception types, reported as text
        return {"error": f"{type(error).__name__}: {error}"}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True, help="e.g. http://127.0.0.1:8000/api")
    parser.add_argument("--mapid", type=int, required=True)
    parser.add_argument("--stpid", type=int, required=True)
    parser.add_argument("--run", required=True)
    args = parser.parse_args()

    client = CTAClient(key="ignored-on-the-local-stack")
    client.url = args.base
    print(json.dumps({
        "arrivals": attempt(lambda: client.arrivals(mapid=args.mapid)),
        "arrivals_stop_green": attempt(
            lambda: client.arrivals(stpid=[args.stpid], route=Route.GREEN, max=1)),
        "locations": attempt(lambda: client.locations([Route.RED, Route.BLUE, Route.GREEN])),
        "follow": attempt(lambda: client.follow(runnumber=args.run)),
        "invalid_mapid": attempt(lambda: client.arrivals(mapid=41234)),
        "unknown_run": attempt(lambda: client.follow(runnumber="899")),
        "no_trains": attempt(lambda: client.locations(Route.BROWN)),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
