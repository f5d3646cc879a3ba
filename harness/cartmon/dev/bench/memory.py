"""Memory of a process tree from /proc: each process's peak and the peak of their sum."""

from __future__ import annotations

import contextlib
import threading
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any


def parse_proc_status(text: str) -> dict[str, int]:
    """The `kB` fields of /proc/<pid>/status (VmRSS, VmHWM, ...) in kB."""
    fields = {}
    for line in text.splitlines():
        name, _, value = line.partition(":")
        parts = value.split()
        if len(parts) == 2 and parts[1] == "kB" and parts[0].isdigit():
            fields[name] = int(parts[0])
    return fields


def parse_proc_ppid(stat_text: str) -> int:
    """The parent pid from /proc/<pid>/stat (the command name may hold spaces and parentheses)."""
    return int(stat_text.rpartition(")")[2].split()[1])


def process_tree(root: int, proc: Path = Path("/proc")) -> list[int]:
    """root and all its descendants that are alive now."""
    children: dict[int, list[int]] = defaultdict(list)
    for entry in proc.iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                children[parse_proc_ppid((entry / "stat").read_text())].append(int(entry.name))
    tree, pending = [], [root]
    while pending:
        pid = pending.pop()
        if (proc / str(pid)).exists():
            tree.append(pid)
            pending.extend(children.get(pid, []))
    return tree


class TreeMemoryMonitor:
    """Polls the RSS of a process tree: the peak of its sum, and each process's own peak (VmHWM)."""

    def __init__(self, root_pid: Callable[[], int | None], interval: float = 0.2):
        self._root_pid = root_pid
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.peak_rss_kb = 0
        self.hwm_kb: dict[int, int] = {}
        self.samples = 0

    def __enter__(self) -> TreeMemoryMonitor:
        self._thread.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self._stop.set()
        self._thread.join()

    def sample(self) -> None:
        root = self._root_pid()
        if root is None:
            return
        total = 0
        for pid in process_tree(root):
            with contextlib.suppress(OSError):
                status = parse_proc_status(Path(f"/proc/{pid}/status").read_text())
                total += status.get("VmRSS", 0)
                self.hwm_kb[pid] = max(self.hwm_kb.get(pid, 0), status.get("VmHWM", 0))
        self.samples += 1
        self.peak_rss_kb = max(self.peak_rss_kb, total)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self._interval)
