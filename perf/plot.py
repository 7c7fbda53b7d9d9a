#!/usr/bin/python3
"""Draws RingKernels' recorded runs as SVG (Debian's python3-matplotlib; the bootstrap installs it).

Run it as perf/plot.py: its first line names Debian's /usr/bin/python3, which sees that package
(a `python3` from pyenv or a venv earlier on PATH would not).

  perf/plot.py soak SOAK.csv OUT.svg     throughput, call p50/p99 and resident memory per window
                                         of `ringkernels soak ... --csv SOAK.csv`
  perf/plot.py latency SAMPLES.csv OUT.svg
                                         each latency series' distribution (CDF and histogram)
                                         of `ringkernels bench ... --samples SAMPLES.csv`

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


def read_latency(path):
    series = {}
    try:
        with open(path, newline="") as handle:
            reader = csv.DictReader(handle)
            if reader.fieldnames != ["series", "latency_ns"]:
                fail(f"{path} is not a bench --samples file (columns series,latency_ns)")
            for row in reader:
                series.setdefault(row["series"], []).append(float(row["latency_ns"]))
    except OSError as error:
        fail(f"cannot read {path}: {error.strerror}")
    if not series:
        fail(f"{path} has no samples (the benchmark measured no latency)")
    return series


def plot_latency(source, target):
    series = read_latency(source)
    figure, (cdf, histogram) = plt.subplots(2, 1, figsize=(8, 8))
    figure.suptitle(f"latency distributions ({source.split('/')[-1]})")
    for name, values in series.items():
        values.sort()
        count = len(values)
        p50, p99 = values[count // 2], values[min(count - 1, (count * 99) // 100)]
        label = f"{name}: p50 {p50:,.0f} ns, p99 {p99:,.0f} ns, {count:,} samples"
        # At most 2,000 points per curve: a drawing of every sample would make a huge SVG.
        step = max(1, count // 2000)
        points = list(range(0, count, step)) + [count - 1]
        cdf.plot([values[i] for i in points], [(i + 1) / count for i in points], label=label)
        histogram.hist(values, bins=100, histtype="step", label=name)
    cdf.set_xscale("log")
    cdf.set_xlabel("latency, ns (log)")
    cdf.set_ylabel("fraction of samples at or below")
    cdf.legend(fontsize="small")
    histogram.set_yscale("log")
    histogram.set_xlabel("latency, ns")
    histogram.set_ylabel("samples (log)")
    for axes in (cdf, histogram):
        axes.grid(True, alpha=0.3)
    figure.tight_layout()
    figure.savefig(target)
    print(f"wrote {target}")


def main(argv):
    plots = {"soak": plot_soak, "latency": plot_latency}
    if len(argv) != 4 or argv[1] not in plots:
        fail("usage: perf/plot.py soak SOAK.csv OUT.svg | perf/plot.py latency SAMPLES.csv OUT.svg")
    plots[argv[1]](argv[2], argv[3])


if __name__ == "__main__":
    main(sys.argv)
