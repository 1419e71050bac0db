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

With --compare PORT2 --token-file2 FILE2 --path P [--path P ...], it instead
measures each path on both servers in alternating rounds (the same page on a
small and a large log, say) and prints each one's p50 and p99 and the ratio
of the second to the first.
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
    parser.add_argument("--compare", type=int, help="a second server's HTTP port")
    parser.add_argument("--token-file2")
    parser.add_argument("--path", action="append", default=[])
    args = parser.parse_args()
    if args.compare:
        return compare(args)
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


def compare(args):
    servers = []
    for port, token_file in ((args.port, args.token_file), (args.compare, args.token_file2)):
        token = open(token_file).read().strip()
        servers.append((http.client.HTTPConnection("127.0.0.1", port),
                        {"Authorization": "Bearer " + token}))
    samples = {(path, i): [] for path in args.path for i in range(2)}
    for path in args.path:
        for connection, headers in servers:
            measure(connection, path, headers, 100)  # warm up
    for _ in range(args.rounds):
        for path in args.path:
            for i, (connection, headers) in enumerate(servers):
                samples[(path, i)] += measure(connection, path, headers,
                                              args.requests // args.rounds)
    print("| path | p50 first | p50 second | ratio | p99 first | p99 second | ratio |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for path in args.path:
        row = [path]
        for q in (50, 99):
            a = statistics.quantiles(samples[(path, 0)], n=100)[q - 1]
            b = statistics.quantiles(samples[(path, 1)], n=100)[q - 1]
            row += [f"{a:.0f} us", f"{b:.0f} us", f"{b / a:.2f}"]
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
