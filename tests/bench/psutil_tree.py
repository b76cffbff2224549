# Benchmark peer: the process tree through python3-psutil (pid, ppid, name of every process, linked by ppid).
import psutil

children = {}
for proc in psutil.process_iter(["pid", "ppid", "name"]):
    children.setdefault(proc.info["ppid"], []).append(proc.info["pid"])
print(sum(len(pids) for pids in children.values()), "processes")
