"""Where the figures were measured: machine and package versions, for the report header."""

from __future__ import annotations

import os
import platform
import subprocess
from importlib import metadata

PACKAGES = ("pyoxigraph", "rdflib", "pyshacl", "fastapi", "uvicorn", "httpx", "psutil")


def cpu_model() -> str:
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def memory_gb() -> float:
    try:
        for line in open("/proc/meminfo", encoding="utf-8"):
            if line.startswith("MemTotal"):
                return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return 0.0


def virtuoso_version() -> str:
    try:
        out = subprocess.run(["virtuoso-t", "--version"], capture_output=True, text=True, timeout=10)
        text = out.stdout + out.stderr
        return next(
            (ln.split("Version", 1)[1].strip().split()[0] for ln in text.splitlines() if "Version" in ln), "?"
        )
    except (OSError, subprocess.SubprocessError):
        return "not installed"


def describe() -> dict[str, str]:
    info = {
        "nproc": str(os.cpu_count()),
        "memory": f"{memory_gb():.1f} GiB",
        "cpu": cpu_model(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }
    for p in PACKAGES:
        try:
            info[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            info[p] = "-"
    info["virtuoso"] = virtuoso_version()
    return info
