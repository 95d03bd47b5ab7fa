"""The benchmark's trees: a WORKING tree of N files in nested folders, and the changes the
scenarios need. Names are plain ASCII so that the original micsync handles them too.

Sizes are mixed: most files are small (log-uniform from 10 bytes to 64 KiB), one in a thousand
is large (1 to 4 MiB). Every file and folder gets the same old modification time, so a copy made
with `rsync -a` or `cp -a` is unchanged in rsync's eyes.
"""

import math
import os
import random

OLD_MTIME = 1_700_000_000  # 2023-11-14: base files are older than any change made later
FILES_PER_DIR = 100
BLOCK = 8 * 1024 * 1024


def _sizes(rng):
    if rng.random() < 0.001:
        return rng.randint(1 << 20, 4 << 20)
    return int(math.exp(rng.uniform(math.log(10), math.log(64 * 1024))))


def _leaf(i):
    """The folder of the i-th file: three levels, at most 10 folders wide at each."""
    d = i // FILES_PER_DIR
    return os.path.join(f"a{d // 100:02d}", f"b{(d // 10) % 10}", f"c{d % 10}")


def _write(path, data, mtime=None):
    with open(path, "wb") as f:
        f.write(data)
    if mtime is not None:
        os.utime(path, (mtime, mtime))


def make(root, count, seed=1):
    """Creates the WORKING tree; returns (files, bytes)."""
    rng = random.Random(seed)
    block = rng.randbytes(BLOCK)
    total = 0
    dirs = set()
    for i in range(count):
        leaf = os.path.join(root, _leaf(i))
        if leaf not in dirs:
            os.makedirs(leaf, exist_ok=True)
            dirs.add(leaf)
        size = _sizes(rng)
        start = rng.randrange(0, BLOCK - size)
        _write(os.path.join(leaf, f"f{i:07d}.dat"), block[start:start + size], OLD_MTIME)
        total += size
    for dirpath, _, _ in os.walk(root, topdown=False):
        os.utime(dirpath, (OLD_MTIME, OLD_MTIME))
    return count, total


def _files(root):
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        out.extend(os.path.join(dirpath, f) for f in sorted(filenames))
    return out


def modify(root, percent, seed=2):
    """Rewrites `percent`% of the files with other data and a new time. The file is unlinked
    first: the tree may share its files with another one through hard links."""
    rng = random.Random(seed)
    files = _files(root)
    chosen = rng.sample(files, max(1, len(files) * percent // 100))
    for path in chosen:
        size = os.path.getsize(path)
        os.unlink(path)
        _write(path, rng.randbytes(size + rng.randint(1, 100)))
    return len(chosen)


def add(root, percent, prefix, seed=3):
    """Adds new files, `percent`% of the existing count, in existing folders."""
    rng = random.Random(seed)
    files = _files(root)
    dirs = sorted({os.path.dirname(f) for f in files})
    count = max(1, len(files) * percent // 100)
    for n in range(count):
        size = int(math.exp(rng.uniform(math.log(10), math.log(64 * 1024))))
        _write(os.path.join(rng.choice(dirs), f"{prefix}{n:06d}.dat"), rng.randbytes(size))
    return count
