#!/usr/bin/python3
"""The HTTP/JSON gateway's cost, measured against the HTTP port's own ceiling.

Starts nothing: give it a running dxledgerd's HTTP port and a token with read
access (deploy/dev.sh start makes one). Sends N sequential requests on one
keep-alive connection for each of:
  - GET /livez: the HTTP server's ceiling (cpp-httplib, no gRPC);
  - GET /v1/caller: the gateway's echo (transcoding, the in-process gRPC call
    with its interceptors and authentication, JSON out), no ledger read;
  - GET /v1/{goal}: a goal read through the same path;
in alternating rounds, and prints the p50 and p99 of each and their ratios.

  tests/bench/http_gateway.py --port 7401 --token-file dxledger-data/hq.token \
      --goal organizations/050008/goals/fy2021-09
"""
import argparse
import http.client
import statistics
import time


def measure(connection, path, headers, n):
    times = []
    for _ in range(n):
        start = time.perf_counter_ns()
        connection.request("GET", path, headers=headers)
        reply = connection.getresponse()
        reply.read()
        times.append((time.perf_counter_ns() - start) / 1000)
        if reply.status != 200:
            raise SystemExit(f"GET {path}: HTTP {reply.status}")
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=7401)
    parser.add_argument("--token-file", required=True)
    parser.add_argument("--goal", default="organizations/050008/goals/fy2021-09")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    token = open(args.token_file).read().strip()
    headers = {"Authorization": "Bearer " + token}
    connection = http.client.HTTPConnection("127.0.0.1", args.port)
    paths = {"livez": "/livez", "caller": "/v1/caller", "goal": "/v1/" + args.goal}
    samples = {name: [] for name in paths}
    for name, path in paths.items():
        measure(connection, path, headers, 200)  # warm up
    for _ in range(args.rounds):
        for name, path in paths.items():
            samples[name] += measure(connection, path, headers, args.requests // args.rounds)

    def p(name, q):
        return statistics.quantiles(samples[name], n=100)[q - 1]

    print("| measurement | us | baseline (same run) | us | ratio |")
    print("| --- | ---: | --- | ---: | ---: |")
    for q in (50, 99):
        print(f"| GET /v1/caller p{q} | {p('caller', q):.0f} | GET /livez p{q} | "
              f"{p('livez', q):.0f} | {p('caller', q) / p('livez', q):.2f} |")
        print(f"| GET goal p{q} | {p('goal', q):.0f} | GET /v1/caller p{q} | "
              f"{p('caller', q):.0f} | {p('goal', q) / p('caller', q):.2f} |")


if __name__ == "__main__":
    main()
