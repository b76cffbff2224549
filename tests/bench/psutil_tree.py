# Benchmark peer: the process tree through python3-psutil (pid, ppid, name of every process, linked by ppid).
import sys

try:
    import psutil
except ImportError:
    sys.exit("python3-psutil not installed")

children = {}
for proc in psutil.process_iter(["pid", "ppid", "name"]):
    children.setdefault(proc.info["ppid"], []).append(proc.info["pid"])
print(sum(len(pids) for pids in children.values()), "processes")
