#!/usr/bin/python3
"""Draws RingKernels' recorded runs as SVG (Debian's python3-matplotlib; the bootstrap installs it).

Run it as perf/plot.py: its first line names Debian's /usr/bin/python3, which sees that package
(a `python3` from pyenv or a venv earlier on PATH would not).

  perf/plot.py soak SOAK.csv OUT.svg     throughput, call p50/p99 and resident memory per window
                                         of `ringkernels soak ... --csv SOAK.csv`

Exits 2 with a message when the input is missing, empty or not what it should be.
"""
import csv
import sys

import matplotlib

matplotlib.use("svg")  # no display on a cluster node or in CI
import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)

SOAK_COLUMNS = ["window", "end_s", "msgs_per_s", "call_p50_ns", "call_p99_ns", "rss_kib"]


def fail(message):
    print(f"plot.py: {message}", file=sys.stderr)
    sys.exit(2)


def read_soak(path):
    try:
        with open(path, newline="") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as error:
        fail(f"cannot read {path}: {error.strerror}")
    if not rows:
        fail(f"{path} has no windows")
    missing = [c for c in SOAK_COLUMNS if c not in rows[0]]
    if missing:
        fail(f"{path} lacks the columns {', '.join(missing)} (is it a soak --csv file?)")
    return {c: [float(row[c]) for row in rows] for c in SOAK_COLUMNS}


def plot_soak(source, target):
    series = read_soak(source)
    seconds = series["end_s"]
    figure, (rate, latency, memory) = plt.subplots(3, 1, figsize=(8, 8), sharex=True)
    figure.suptitle(f"ringkernels soak: {len(seconds)} windows of "
                    f"{seconds[0]:g} s ({source.split('/')[-1]})")
    rate.plot(seconds, [v / 1e6 for v in series["msgs_per_s"]], marker="o")
    rate.set_ylabel("replies, M msg/s")
    rate.set_ylim(bottom=0)
    latency.plot(seconds, [v / 1e3 for v in series["call_p50_ns"]], marker="o", label="p50")
    latency.plot(seconds, [v / 1e3 for v in series["call_p99_ns"]], marker="o", label="p99")
    latency.set_ylabel("call() round trip, us")
    latency.set_yscale("log")
    latency.legend()
    memory.plot(seconds, [v / 1024 for v in series["rss_kib"]], marker="o")
    memory.set_ylabel("resident memory, MiB")
    memory.set_xlabel("seconds into the loaded run (window ends)")
    for axes in (rate, latency, memory):
        axes.grid(True, alpha=0.3)
    figure.tight_layout()
    figure.savefig(target)
    print(f"wrote {target}")


def main(argv):
    if len(argv) != 4 or argv[1] != "soak":
        fail("usage: perf/plot.py soak SOAK.csv OUT.svg")
    plot_soak(argv[2], argv[3])


if __name__ == "__main__":
    main(sys.argv)
