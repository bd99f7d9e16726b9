#!/usr/bin/env python3
"""Summarise a JFR recording's CPU samples: hottest top frames, hottest Magpie frames, threads.

Usage: im-bench/scripts/jfr-hot.py RECORDING.jfr [TOP_N] [THREAD_PREFIX]
(THREAD_PREFIX keeps only samples of threads whose name starts with it, e.g. gate-io)
Reads `jfr print --json --events jdk.ExecutionSample` (the jfr tool of the JDK on PATH).
"""
import collections
import json
import subprocess
import sys


def type_name(frame):
    return frame["method"]["type"]["name"].replace("/", ".")


def frame_name(frame):
    return type_name(frame) + "." + frame["method"]["name"]


def main():
    path = sys.argv[1]
    top_n = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    only = sys.argv[3] if len(sys.argv) > 3 else ""
    raw = subprocess.run(["jfr", "print", "--json", "--events", "jdk.ExecutionSample", path],
                         check=True, capture_output=True, text=True).stdout
    events = json.loads(raw)["recording"]["events"]
    top = collections.Counter()
    own = collections.Counter()
    threads = collections.Counter()
    packages = collections.Counter()
    for e in events:
        frames = (e["values"].get("stackTrace") or {}).get("frames") or []
        t = e["values"].get("sampledThread") or {}
        tname = t.get("javaName") or t.get("osName") or "?"
        if not frames or not tname.startswith(only):
            continue
        top[frame_name(frames[0])] += 1
        packages[".".join(type_name(frames[0]).split(".")[:3])] += 1
        for f in frames:
            if type_name(f).startswith("io.magpie"):
                own[frame_name(f)] += 1
                break
        threads["".join(c if not c.isdigit() else "#" for c in tname)] += 1
    total = sum(top.values())
    print(f"{total} CPU samples in {path}")
    for title, counter in (("hottest top frames", top), ("top-frame packages", packages),
                           ("nearest io.magpie frame on the stack", own), ("threads", threads)):
        print(f"\n## {title}")
        for name, n in counter.most_common(top_n):
            print(f"{100.0 * n / total:5.1f}%  {name}")


if __name__ == "__main__":
    main()
