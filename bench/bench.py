"""Runs the benchmark scenarios side by side and writes bench/RESULTS.md. Started by
bench/run.sh, which builds what this needs; see README.md, "Benchmarks".

Timing: hyperfine, one run of each command per round, the commands of a scenario alternating
round after round so that load from other processes falls on all of them alike; the median is
taken over the rounds. Memory: a separate, first run of each command (it also warms the page
cache), see `peak_memory`.
"""

import argparse
import datetime
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import trees

HERE = os.path.dirname(os.path.abspath(__file__))


class Command:
    """A command as argv, environment and standard input, for hyperfine and for `peak_memory`."""

    def __init__(self, label, argv, env, stdin=b"", prepare=None, tool="micsync"):
        self.label = label
        self.argv = argv
        self.env = env
        self.stdin = stdin
        self.prepare = prepare
        self.tool = tool

    def shell(self):
        env = " ".join(f"{k}={shlex.quote(v)}" for k, v in self.env.items())
        line = f"env {env} {shlex.join(self.argv)}"
        if self.stdin:
            line = f"printf %s {shlex.quote(self.stdin.decode())} | {line}"
        return line


def sh(command):
    subprocess.run(command, shell=True, check=True)


def _child_of(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            children = f.read().split()
    except OSError:
        return None
    return int(children[0]) if children else None


def _hwm(pid):
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def peak_memory(command):
    """Peak resident memory of the command's own process, and of the largest process of its
    tree (KiB). The first is VmHWM, the kernel's high-water mark of the process's resident
    memory, read from /proc/PID/status every 2 ms until the process exits: the mark only grows,
    and micsync's memory peaks while it builds its plans, long before it exits. The second is
    GNU time's "Maximum resident set size", which is the largest of the command and the
    processes it waited for (rsync). The command runs under GNU time, which is small: a child
    starts with the maximum of its parent at fork, so a Python parent would inflate it."""
    if command.prepare:
        sh(command.prepare)
    env = dict(os.environ, **command.env)
    with tempfile.NamedTemporaryFile() as err, tempfile.NamedTemporaryFile("r") as tree:
        proc = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", tree.name] + command.argv,
                                env=env, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                stderr=err)
        proc.stdin.write(command.stdin)
        proc.stdin.close()
        own, child = 0, None
        while proc.poll() is None:
            child = child or _child_of(proc.pid)
            if child:
                own = max(own, _hwm(child))
            time.sleep(0.002)
        if proc.returncode != 0:
            err.seek(0)
            sys.exit(f"{command.label} failed ({proc.returncode}): {command.shell()}\n"
                     f"{err.read().decode(errors='replace')}")
        return own, int(tree.read().split()[-1])


def hyperfine_once(command, workdir):
    out = os.path.join(workdir, "hyperfine.json")
    args = ["hyperfine", "--runs", "1", "--style", "none", "--export-json", out]
    if command.prepare:
        args += ["--prepare", command.prepare]
    subprocess.run(args + [command.shell()], check=True, stdout=subprocess.DEVNULL)
    with open(out) as f:
        result = json.load(f)["results"][0]
    return result["times"][0], result["user"] + result["system"]


def changes_left(source, destination, delete):
    """Item lines of a dry run from source to destination, folders' times left aside: what the
    command under test failed to do."""
    args = ["rsync", "-an", "--out-format=%i %n", source + "/", destination + "/"]
    if delete:
        args.insert(2, "--delete")
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    return [l for l in out.splitlines() if l and not l.startswith(".d")]


def build_trees(d, count):
    """Creates the trees once per file count; later runs with the same count reuse them."""
    stamp = os.path.join(d, "trees.json")
    if os.path.exists(stamp):
        with open(stamp) as f:
            info = json.load(f)
        if info.get("count") == count:
            return info
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    print(f"generating {count} files in {d} ...", flush=True)
    files, size = trees.make(f"{d}/w", count)
    sh(f"cp -a {d}/w {d}/bk")
    sh(f"cp -al {d}/w {d}/w2")
    modified = trees.modify(f"{d}/w2", 1)
    new = trees.add(f"{d}/w2", 1, "new")
    sh(f"cp -al {d}/w {d}/w4")
    extra = trees.add(f"{d}/w4", 1, "extra")
    info = {"count": count, "bytes": size, "modified": modified, "new": new, "extra": extra}
    with open(stamp, "w") as f:
        json.dump(info, f)
    return info


def configure(d, name, work, backup):
    """A micsync configuration file and, for the original, a HOME holding the same one."""
    home = f"{d}/home-{name}"
    os.makedirs(home, exist_ok=True)
    text = json.dumps({"configs": [{"name": name, "work": [work], "backup": [backup]}]})
    for path in (f"{d}/{name}.json", f"{home}/.micsync.json"):
        with open(path, "w") as f:
            f.write(text)
    return {"HOME": home, "MICSYNC_CONFIG": f"{d}/{name}.json"}, {"HOME": home}


def scenarios(d, micsync, original):
    os.makedirs(f"{d}/trash", exist_ok=True)
    s1, o1 = configure(d, "s1", f"{d}/w", f"{d}/bk")
    s2, o2 = configure(d, "s2", f"{d}/w2", f"{d}/s2bk")
    s3, _ = configure(d, "s3", f"{d}/w", f"{d}/s3bk")
    s4, o4 = configure(d, "s4", f"{d}/s4w", f"{d}/bk")
    # A fresh destination for every run, the used one set aside in the trash and deleted at
    # the end: deleting it here would make the next run slower. ext4 without a journal (as on
    # the machine of RESULTS.md) does not reuse an inode for 60 s after its deletion, and skips
    # such inodes one by one when it allocates new ones. `sync` puts the previous run's data on
    # disk before the next run is timed.
    def reset(path, fresh):
        return (f"mv {path} $(mktemp -d -p {d}/trash) 2>/dev/null; {fresh} {path} && sync")

    reset2 = reset(f"{d}/s2bk", f"cp -al {d}/bk")
    reset3 = reset(f"{d}/s3bk", "mkdir")
    reset4 = reset(f"{d}/s4w", f"cp -al {d}/w4")
    answers = b"Modify\nDelete\n"
    out = [
        ("1. nothing changed", (f"{d}/w", f"{d}/bk", False), [
            Command("rsync -a", ["rsync", "-a", f"{d}/w/", f"{d}/bk/"], {}, tool="rsync"),
            Command("micsync --backup -m", [micsync, "--backup", "-m", f"{d}/w"], s1),
            Command("original --backup", [original, "--backup", f"{d}/w"], o1, answers,
                    tool="original"),
            Command("original --backup -m", [original, "--backup", "-m", f"{d}/w"], o1,
                    tool="original -m"),
        ]),
        ("2. 1% modified, 1% new", (f"{d}/w2", f"{d}/s2bk", False), [
            Command("rsync -a", ["rsync", "-a", f"{d}/w2/", f"{d}/s2bk/"], {}, prepare=reset2,
                    tool="rsync"),
            Command("micsync --backup -m", [micsync, "--backup", "-m", f"{d}/w2"], s2,
                    prepare=reset2),
            Command("original --backup", [original, "--backup", f"{d}/w2"], o2, answers,
                    prepare=reset2, tool="original"),
            Command("original --backup -m", [original, "--backup", "-m", f"{d}/w2"], o2,
                    prepare=reset2, tool="original -m"),
        ]),
        ("3. first copy", (f"{d}/w", f"{d}/s3bk", False), [
            Command("rsync -a", ["rsync", "-a", f"{d}/w/", f"{d}/s3bk/"], {}, prepare=reset3,
                    tool="rsync"),
            Command("micsync --backup -m", [micsync, "--backup", "-m", f"{d}/w"], s3,
                    prepare=reset3),
        ]),
        ("4. --work -D, 1% only in WORKING", (f"{d}/bk", f"{d}/s4w", True), [
            Command("rsync -a --delete", ["rsync", "-a", "--delete", f"{d}/bk/", f"{d}/s4w/"],
                    {}, prepare=reset4, tool="rsync"),
            Command("micsync --work -D", [micsync, "--work", "-D", f"{d}/s4w"], s4,
                    prepare=reset4),
            Command("original --work -d", [original, "--work", "-d", f"{d}/s4w"], o4, answers,
                    prepare=reset4, tool="original"),
            Command("original --work -mD", [original, "--work", "-mD", f"{d}/s4w"], o4,
                    prepare=reset4, tool="original -m"),
        ]),
    ]
    return out


def parse_bench(binary, lines):
    out = subprocess.run([binary, str(lines)], check=True, capture_output=True, text=True)
    return dict(kv.split("=") for kv in out.stdout.split())


def machine():
    cpu = "unknown CPU"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem = int(f.readline().split()[1]) / 1024 / 1024
    rsync = subprocess.run(["rsync", "--version"], capture_output=True, text=True).stdout
    return (f"{platform.node()}: {cpu}, {os.cpu_count()} cores, {mem:.0f} GiB RAM, "
            f"Linux {platform.release()}", rsync.splitlines()[0].strip())


def mib(kib):
    return f"{kib / 1024:.1f}"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--files", type=int, default=100_000)
    p.add_argument("--runs", type=int, default=7)
    p.add_argument("--dir", required=True)
    p.add_argument("--micsync", required=True)
    p.add_argument("--original", required=True)
    p.add_argument("--parse-bench", required=True)
    p.add_argument("--parse-lines", type=int, default=1_000_000)
    p.add_argument("--results", required=True)
    a = p.parse_args()

    started = time.time()
    load_before = os.getloadavg()
    info = build_trees(a.dir, a.files)
    rows = []
    loads = []
    work = tempfile.mkdtemp()
    for title, (source, destination, delete), commands in scenarios(a.dir, a.micsync,
                                                                     a.original):
        print(f"{title}: memory and warm-up run", flush=True)
        memory = {}
        for c in commands:
            memory[c.label] = peak_memory(c)
            left = changes_left(source, destination, delete)
            if left:
                sys.exit(f"{title}: {c.label} left {len(left)} changes, e.g. {left[:3]}")
        times = {c.label: [] for c in commands}
        cpu = {c.label: [] for c in commands}
        for r in range(a.runs):
            print(f"{title}: round {r + 1}/{a.runs}", flush=True)
            loads.append(os.getloadavg()[0])
            for c in commands:
                wall, used = hyperfine_once(c, work)
                times[c.label].append(wall)
                cpu[c.label].append(used)
        medians = {c.label: statistics.median(times[c.label]) for c in commands}
        cpu_medians = {c.tool: statistics.median(cpu[c.label]) for c in commands}
        by_tool = {c.tool: medians[c.label] for c in commands}
        for c in commands:
            m = medians[c.label]
            to_rsync = f"{m / by_tool['rsync']:.3f}" if c.tool != "rsync" else "1"
            to_original = ""
            if c.tool == "micsync" and "original" in by_tool:
                to_original = (f"{m / by_tool['original']:.2f} / "
                               f"{m / by_tool['original -m']:.2f}")
            own, tree = memory[c.label]
            used = cpu_medians[c.tool]
            cpu_ratio = f" ({used / cpu_medians['rsync']:.2f}×)" if c.tool != "rsync" else ""
            rows.append((title, c.label, f"{m:.3f}",
                         f"{min(times[c.label]):.3f}–{max(times[c.label]):.3f}",
                         to_rsync, to_original, f"{used:.2f}{cpu_ratio}", mib(own), mib(tree)))
            title = ""
    shutil.rmtree(work)
    print("deleting the used destinations", flush=True)
    shutil.rmtree(f"{a.dir}/trash")

    print("6. parsing: micsync's plan parser", flush=True)
    parse = parse_bench(a.parse_bench, a.parse_lines)
    load_after = os.getloadavg()
    wall = time.time() - started

    host, rsync = machine()
    header = ("| scenario | command | median s | min–max s | × rsync | × original (asks / -m) "
              "| CPU s (× rsync) | own peak RSS MiB | largest process MiB |")
    lines = [header, "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    lines.append(f"| 6. parse {int(parse['lines']):,} lines | plan parser | {parse['seconds']} "
                 f"| | | | | {parse['peak_mib']} | |")
    table = "\n".join(lines)
    print()
    print(table)
    total_gib = info["bytes"] / 1024 ** 3
    text = f"""# Benchmark results

Written by `bench/run.sh --files {a.files} --runs {a.runs}` on {datetime.date.today()}.

- Machine: {host}
- {rsync}
- Trees: {a.files:,} files, {total_gib:.2f} GiB, {trees.FILES_PER_DIR} to a folder, three
  levels deep; scenario 2 rewrites {info['modified']:,} files and adds {info['new']:,};
  scenario 4 has {info['extra']:,} files only in WORKING.
- Load average: {load_before[0]:.2f} (1 min) before the run; {min(loads):.2f} to {max(loads):.2f}
  (median {statistics.median(loads):.2f}) at the start of the rounds; {load_after[0]:.2f} after.
  The machine has {os.cpu_count()} cores; other people's builds were running on it.
- Wall time of the whole run: {wall / 60:.1f} min.

{table}

- **median s**: the median of {a.runs} rounds timed by hyperfine; each round runs every command of
  the scenario once, alternating, on a fresh copy of the trees (scenarios 2–4 reset the
  destination before every run; the page cache is warm).
- **× rsync**: the median divided by raw rsync's. **× original**: micsync's median divided by the
  original micsync's, answering its questions on standard input (`Modify`, `Delete`), then run
  with the options that answer them (`-m`, `-mD`), as the original does not list anything then.
- **CPU s**: the median of user plus system time of the command and every process it started
  (rsync's three), as hyperfine reports it; less sensitive than wall time to other processes
  competing for the cores, which they do when the load average is above the number of cores.
- **own peak RSS**: the command's own process, not rsync: its VmHWM (the kernel's high-water
  mark) read from /proc/PID/status every 2 ms until it exits; the mark only grows, and micsync's
  memory peaks while it builds its plans, long before it exits. **largest process**: GNU
  `time`'s "Maximum resident set size", which is the largest of the command and the rsync
  processes it waited for, so it cannot tell micsync from rsync.
- **6. parse**: `cargo bench --bench parse` feeds {int(parse['lines']):,} synthetic item lines
  ({parse['input_mib']} MiB) through `PlanBuilder::push_line`; peak RSS includes the listing
  itself ({parse['rss_before_mib']} MiB before parsing).
"""
    with open(a.results, "w") as f:
        f.write(text)
    print(f"\nwritten to {a.results} ({wall / 60:.1f} min)")


if __name__ == "__main__":
    main()
