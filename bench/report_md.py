#!/usr/bin/env python3
"""Writes bench/REPORT.md (to stdout) from the raw outputs bench/report.sh collected.

  report_md.py RAW_DIR

RAW_DIR holds facts.txt (key=value lines) and NAME.txt, the output of each benchmark. Each
benchmark is parsed from what it prints: its "RESULT name key=value ..." lines where it has
them, its table rows otherwise (bench/poll.sh, snmp_walk.sh, daemon_rss.sh).  A figure that
is missing (a benchmark skipped or failed) shows as "n/a"; the raw outputs are appended.
"""
import os
import re
import sys

RAW = sys.argv[1] if len(sys.argv) == 2 else sys.exit(__doc__)


def text(name):
    try:
        with open(os.path.join(RAW, name + ".txt"), errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def ratio(a, b, digits=2):
    a, b = num(a), num(b)
    if a is None or b is None or a == 0 or b == 0:
        return "n/a"  # a zero is below the measurement's resolution, not a cost of nothing
    r = a / b
    return "%.*f" % (digits, r) if r >= 0.1 else "%.2g" % r


def fmt(v, pattern="%.0f"):
    v = num(v)
    return "n/a" if v is None else pattern % v


def results(name, tag):
    """The RESULT lines of benchmark NAME for TAG, as dicts."""
    rows = []
    for line in text(name).splitlines():
        if line.startswith("RESULT " + tag + " "):
            rows.append(dict(kv.split("=", 1) for kv in line.split()[2:] if "=" in kv))
    return rows


def table(head, rows):
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out) + "\n"


facts = {}
for line in text("facts").splitlines():
    k, sep, v = line.partition("=")
    if sep:
        facts[k] = v
NS = [int(n) for n in facts.get("ns", "10 100 1000").split()]
out = []
w = out.append
HEAD = []  # the headline sentences, gathered by the sections and written after the machine


def header():
    w("# rackwatch benchmark report\n")
    w("Written by `bench/report.sh` on %s from commit `%s`%s, build `%s`%s. Ratios, not "
      "absolute times: **time, CPU and memory ratios are rackwatch / peer (below 1: rackwatch "
      "is cheaper)**; **throughput ratios are rackwatch / peer (above 1: rackwatch is "
      "faster)**. Every benchmark ran on 127.0.0.1 only; the raw outputs are at the end.\n"
      % (facts.get("date", "?"), facts.get("commit", "?"),
         " (plus %s uncommitted changes)" % facts["dirty"] if facts.get("dirty", "0") != "0" else "",
         facts.get("build", "?"), "; **QUICK run (N = 10, 100, fewer repeats)**"
         if facts.get("quick") == "1" else ""))
    w("Regenerate: `bench/report.sh [BUILD_DIR]` (about 12 minutes on 2 quiet cores; `QUICK=1` for "
      "N = 10, 100 in a few minutes; `SOAK=MINUTES` adds the soak, `FUZZ=SECONDS` the fuzzers).\n")
    w("## Machine\n")
    rows = [("CPU", facts.get("cpu", "?")), ("cores", facts.get("nproc", "?")),
            ("memory", facts.get("mem", "?")), ("OS, kernel", "%s, %s" % (facts.get("os", "?"),
                                                                        facts.get("kernel", "?"))),
            ("load average before (1, 5, 15 min)", facts.get("load.before", "?")),
            ("load average after", facts.get("load.after", "?")),
            ("total run time", "%s s" % facts.get("seconds.total", "?"))]
    w(table(["", ""], rows))
    pkgs = [(k[4:], v) for k, v in facts.items() if k.startswith("pkg.")]
    w("\nPackages (Debian versions): " + "; ".join("%s %s" % p for p in pkgs) + ".\n")
    runs = [(k[8:], v, facts.get("exit." + k[8:], "?")) for k, v in facts.items()
            if k.startswith("seconds.") and k != "seconds.total"]
    w("\nBenchmarks run (seconds, exit status): " +
      "; ".join("%s %s s (%s)" % r for r in runs) + ".\n")
    for k, v in facts.items():
        if k.startswith("note."):
            w("\nNote: %s\n" % v)
    if any(k.startswith("exit.daemon_rss") and v == "1" for k, v in facts.items()):
        w("\n(daemon_rss's exit status 1 comes from its last line, `grep -c` of the daemon's "
          "log, which exits 1 when the log is empty: no failed polls. Its figures are "
          "complete.)\n")


def poll_rows():
    """{(N, label): (wall, cpu_us_per_resource, rss_mb, failed)} from bench/poll.sh."""
    rows = {}
    for line in text("poll").splitlines():
        f = line.split()
        if len(f) >= 7 and f[0].isdigit() and f[1] in ("rackwatch", "curl", "redfishtool"):
            rows[(int(f[0]), " ".join(f[1:-5]))] = tuple(f[-5:-1])
    return rows


def poller():
    w("\n## Redfish poller vs the curl CLI and redfishtool (bench/poll.sh)\n")
    w("`rackwatch poll --rounds 3` over N rack PDUs of 20 resources each (nginx serving "
      "tests/data/pdu over HTTPS on N ports) beside one `curl --parallel` process fetching the "
      "same N x 20 URLs (and, above 100 PDUs, one curl per 100 PDUs at once). Round 1 is cold "
      "(TCP and TLS handshakes, as curl's only round is); rounds 2 and 3 reuse connections, "
      "which a one-shot CLI cannot. Medians of the repeats.\n")
    rows = poll_rows()
    body = []
    for n in NS:
        rw1, rw2 = rows.get((n, "rackwatch round 1 (cold)")), rows.get((n, "rackwatch round 2 (warm)"))
        proc = rows.get((n, "rackwatch process, 3 rounds"))
        curls = sorted((k[1], v) for k, v in rows.items() if k[0] == n and k[1].startswith("curl x"))
        c1 = next((v for k, v in curls if k.startswith("curl x1 ")), None)
        cp = next((v for k, v in curls if not k.startswith("curl x1 ")), None)
        if rw1 is None or c1 is None:
            body.append([n] + ["n/a"] * 7)
            continue
        body.append([n, ratio(rw1[0], c1[0]), ratio(rw2[0], c1[0]) if rw2 else "n/a",
                     ratio(rw1[1], c1[1]), ratio(rw2[1], c1[1]) if rw2 else "n/a",
                     ratio(proc[2], c1[2]) if proc else "n/a",
                     ratio(rw1[0], cp[0]) if cp else "-",
                     "%s; %s" % (rw1[3], c1[3])])
    if body and body[-1][1] != "n/a":
        HEAD.append("Redfish poller, %s PDUs: a cold round takes %s x the wall time of the curl "
                    "CLI fetching the same URLs and %s x its CPU per resource; a warm round "
                    "(kept connections) %s x its wall time." % (body[-1][0], body[-1][1],
                                                               body[-1][3], body[-1][2]))
    w(table(["N PDUs", "wall, cold round / curl", "wall, warm round / curl",
             "CPU per resource, cold / curl", "CPU per resource, warm / curl",
             "peak RSS, whole process / curl", "wall, cold / curl x N/100 processes",
             "failed: rackwatch endpoints (cold round); curl runs"], body))
    rft = rows.get((1, "redfishtool x 20, one by one"))
    m = re.search(r"redfishtool: (\d+) ms wall per resource", text("poll"))
    rw1 = rows.get((NS[0], "rackwatch round 1 (cold)"))
    if rft and m and rw1:
        per_res_ms = num(rw1[0]) * 1000 / (NS[0] * 20)
        w("\nredfishtool (a process per request, 20 requests one after the other): rackwatch's "
          "cold round with %d PDUs takes **%s x** redfishtool's wall time per resource and "
          "**%s x** its CPU per resource (redfishtool: %s x rackwatch's wall time).\n"
          % (NS[0], ratio(per_res_ms, m.group(1)), ratio(rw1[1], rft[1]),
             ratio(m.group(1), per_res_ms, 0)))
        HEAD.append("redfishtool takes %s x rackwatch's wall time per resource (a process per "
                    "request, one at a time)." % ratio(m.group(1), per_res_ms, 0))
    else:
        w("\nredfishtool: no figures (not installed or the run failed).\n")


def plugins():
    w("\n## Plugins vs check_http, check_curl and check_ssl_cert\n")
    w("One process per check, as Nagios and Icinga run them: N checks cost N times one, so "
      "these ratios hold at every N; check_hubspoke, which checks N spokes in one run, is "
      "compared with one check_http per spoke.\n")
    lv = (results("liveness", "liveness") or [{}])[-1]
    pd = (results("pduplug", "pduplug") or [{}])[-1]
    w("\n### Liveness and PDU checks (median wall time; bench/liveness.sh, bench/pduplug.sh)\n")
    w(table(["rackwatch plugin", "vs check_http", "vs check_curl", "note"], [
        ["check_spoke_liveness (HTTPS, verified)", ratio(lv.get("ours_ms"), lv.get("check_http_ms")),
         ratio(lv.get("ours_ms"), lv.get("check_curl_ms")),
         "check_http -S does not verify; check_curl -S -D does"],
        ["  start-up alone (--version)", ratio(lv.get("ours_start_ms"), lv.get("check_http_start_ms")),
         ratio(lv.get("ours_start_ms"), lv.get("check_curl_start_ms")), "process start, libraries"],
        ["check_pdu --state (daemon snapshot)", ratio(pd.get("state_ms"), pd.get("check_http_ms")),
         ratio(pd.get("state_ms"), pd.get("check_curl_ms")), "peers: one plain-HTTP GET (the floor)"],
        ["check_pdu -H (live Redfish poll, HTTPS, session)", ratio(pd.get("live_ms"), pd.get("check_http_ms")),
         ratio(pd.get("live_ms"), pd.get("check_curl_ms")), "peers: one plain-HTTP GET"],
    ]))
    HEAD.append("check_spoke_liveness: %s x check_http -S's wall time, %s x check_curl's; "
                "check_pdu --state: %s x a plain-HTTP check_http (the floor of starting a "
                "plugin)." % (ratio(lv.get("ours_ms"), lv.get("check_http_ms")),
                             ratio(lv.get("ours_ms"), lv.get("check_curl_ms")),
                             ratio(pd.get("state_ms"), pd.get("check_http_ms"))))
    hs = results("hubspoke", "hubspoke")
    by = {(r.get("tool"), r.get("spokes")): r for r in hs}
    w("\n### Hub and spokes (bench/hubspoke.sh; medians)\n")
    body = []
    for n in sorted({int(r["spokes"]) for r in hs if r.get("tool") == "check_hubspoke"}):
        ours, each = by.get(("check_hubspoke", str(n)), {}), by.get(("check_http_each", str(n)), {})
        body.append([n, ratio(ours.get("wall_s"), each.get("wall_s")),
                     ratio(ours.get("cpu_s"), each.get("cpu_s")), fmt(ours.get("rss_kb")),
                     fmt(ours.get("wall_s"), "%.3f")])
    if body:
        HEAD.append("check_hubspoke over %s spokes: %s x the wall time of one check_http -S "
                    "per spoke." % (body[-1][0], body[-1][1]))
    for m in re.finditer(r"^HUBSPOKE (UNKNOWN|WARNING|CRITICAL) - (\d+) spokes?: (.*)$",
                         text("hubspoke"), re.M):
        note = ("check_hubspoke answered %s with %s spokes (%s) although every spoke is "
                "healthy: its figures at that N are those of a run that failed." % m.groups())
        HEAD.append(note)
        w("\n**%s**\n\n" % note)
    w(table(["spokes N", "wall: check_hubspoke / N x check_http -S", "CPU: same",
             "check_hubspoke max RSS kB", "check_hubspoke wall s"], body))
    cert = by.get(("check_spoke_cert", "1"), {})
    body = []
    for tool, label in (("check_http_cert", "check_http -S -C 30"),
                        ("check_curl_cert", "check_curl -S -C 30"),
                        ("check_ssl_cert", "check_ssl_cert (contrib)")):
        peer = by.get((tool, "1"), {})
        body.append([label, ratio(cert.get("wall_s"), peer.get("wall_s")),
                     ratio(cert.get("cpu_s"), peer.get("cpu_s")),
                     ratio(cert.get("rss_kb"), peer.get("rss_kb"))])
    w("\ncheck_spoke_cert (two handshakes: the spoke's and the hub's) / peer (one):\n\n")
    w(table(["peer", "wall", "CPU", "max RSS"], body))
    w("\nCPU times come from GNU time (10 ms resolution): a ratio of small figures is coarse.\n")


def walks():
    w("\n## SNMP walks: rackwatch tables vs snmpd's own and pass_persist (bench/snmp_walk.sh)\n")
    rates, cpu = {}, {}
    for line in text("snmp_walk").splitlines():
        m = re.match(r"(.*?)\s+(\d+)(?: rows x 8:| varbinds:) median\s+(\d+) varbinds/s", line)
        if m:
            rates[m.group(1).strip()] = m.group(3)
            c = re.search(r"subagent ([\d.]+) us, snmpd ([\d.]+) us", line)
            if c:
                cpu[m.group(1).strip()] = (c.group(1), c.group(2))
    ax = rates.get("AgentX, rs_loop: outlet table, 5 columns")
    sa = rates.get("standalone: outlet table, 5 columns")
    pp = rates.get("pass_persist script, 10,000 x 5")
    hr = rates.get("snmpd native: hrSWInstalledTable")
    w("Throughput (varbinds/s) of `snmpbulkwalk -Cr50`; the rackwatch rows are 209 PDUs x 48 "
      "outlets (10,032 rows, 5 columns) served by the daemon's table layer.\n\n")
    HEAD.append("SNMP walks of 10,032 outlet rows: through AgentX %s x the throughput of a "
                "pass_persist script, %s x snmpd's own hrSWInstalledTable; as a standalone "
                "agent %s x pass_persist." % (ratio(ax, pp), ratio(ax, hr), ratio(sa, pp)))
    w(table(["rackwatch", "vs pass_persist (10,000 x 5)", "vs snmpd hrSWInstalledTable",
             "vs Net-SNMP's own agent loop"], [
        ["AgentX subagent (rs_loop)", ratio(ax, pp), ratio(ax, hr),
         ratio(ax, rates.get("AgentX, agent_check_and_process(1): same"))],
        ["standalone agent", ratio(sa, pp), ratio(sa, hr), "-"]]))
    if ax in (None,) or "AgentX, rs_loop: outlet table, 5 columns" not in cpu:
        return
    sub, master = cpu["AgentX, rs_loop: outlet table, 5 columns"]
    w("\nCPU per varbind through AgentX: subagent %s us, snmpd %s us (snmpd's share is the "
      "AgentX relay); standalone: %s us.\n" % (sub, master, cpu.get(
          "standalone: outlet table, 5 columns", ("n/a",))[0]))


def walk_scale():
    rows = results("walk_scale", "walk_scale")
    w("\n### Scaling with N PDUs (bench/walk_scale.sh: one rwOutletTable column, N x 48 rows)\n")
    if not rows:
        w("No figures (the benchmark did not run).\n")
        return
    w(table(["N PDUs", "varbinds", "AgentX / pass_persist", "standalone / pass_persist",
             "AgentX vb/s vs N=%s" % rows[0]["pdus"], "table layer RSS kB"],
            [[r["pdus"], r["varbinds"], ratio(r.get("agentx_vps"), r.get("pass_persist_vps")),
              ratio(r.get("standalone_vps"), r.get("pass_persist_vps")),
              ratio(r.get("agentx_vps"), rows[0].get("agentx_vps")), r.get("agentx_rss_kb", "n/a")]
             for r in rows]))
    w("\nSmall walks are dominated by starting snmpbulkwalk: throughput grows with N for every "
      "agent.\n")


def emu():
    rows = results("emu", "emu")
    w("\n## Emulator vs nginx (bench/emu.sh: one ~2 KB resource, HTTPS keep-alive, wrk)\n")
    if not rows:
        w("No figures (the benchmark did not run).\n")
        return
    w(table(["clients", "requests/s: rackwatch-emu / nginx"],
            [[r["clients"], ratio(r.get("emu_rps"), r.get("nginx_rps"))] for r in rows]))
    w("\nThe emulator is a test fixture (a thread per connection); this says how many "
      "endpoints one emulator process can stand for in the other benchmarks.\n")


def daemon_mem():
    w("\n## rackwatchd memory with N PDUs (bench/daemon_rss.sh, 48 outlets each, HTTPS, "
      "standalone agent)\n")
    body, base = [], None
    for n in NS:
        t = text("daemon_rss_%d" % n)
        hwm = re.search(r"after two more poll periods: VmHWM:\s+(\d+)", t)
        rss = re.search(r"after two more poll periods: VmRSS:\s+(\d+)", t)
        fds = re.search(r"open file descriptors \(kept connections\): (\d+)", t)
        rows = re.search(r"PDU rows: (\d+) after (\d+) s", t)
        period = re.search(r"poll every (\d+)s", t)
        period = period.group(1) if period else "?"
        if not hwm:
            body.append([n, period] + ["n/a"] * 4 + ["none within %s s (exit %s)" % (
                facts.get("seconds.daemon_rss_%d" % n, "?"), facts.get("exit.daemon_rss_%d" % n, "?"))])
            continue
        base = base or (n, int(hwm.group(1)))
        per = ("%.1f" % ((int(hwm.group(1)) - base[1]) / (n - base[0]))) if n != base[0] else "-"
        body.append([n, period, hwm.group(1), rss.group(1) if rss else "n/a", per,
                     fds.group(1) if fds else "n/a",
                     "%s in %s s" % rows.groups() if rows else "n/a"])
    w("No peer polls Redfish into SNMP; the figure to watch is the cost of one more PDU.\n\n")
    if len(body) > 1 and body[-1][4] not in ("n/a", "-"):
        HEAD.append("rackwatchd with %s PDUs of 48 outlets: VmHWM %s kB, %s kB per added PDU."
                    % (body[-1][0], body[-1][2], body[-1][4]))
    w(table(["N PDUs", "poll period s", "VmHWM kB", "VmRSS kB", "kB per added PDU (HWM)", "open fds",
             "PDU rows seen"], body))


def soak():
    r = results("soak", "soak")
    if not r:
        return
    r = r[-1]
    HEAD.append("Soak, %s min with %s flapping endpoints: RSS %+d kB and fds %s from the first "
                "third to the last; %s polls (%s failed), %s SNMP errors." % (
                    r.get("minutes"), r.get("endpoints"), int(num(r.get("rss_growth_kb")) or 0),
                    r.get("fds_growth"), r.get("polls"), r.get("failed"), r.get("snmp_errors")))
    w("\n## Soak (bench/soak.sh %s min, %s flapping endpoints, AgentX, constant walks)\n"
      % (r.get("minutes"), r.get("endpoints")))
    w(table(["RSS first third kB", "last third kB", "growth kB", "fds first", "fds last",
             "polls (failed)", "walks", "SNMP errors", "daemon"],
            [[r.get("rss_first_kb"), r.get("rss_last_kb"), r.get("rss_growth_kb"),
              r.get("fds_first"), r.get("fds_last"), "%s (%s)" % (r.get("polls"), r.get("failed")),
              r.get("walks"), r.get("snmp_errors"), "alive" if r.get("alive") == "1" else "EXITED"]]))


def fuzz():
    t = text("fuzz")
    if not t:
        return
    w("\n## Fuzzing (bench/fuzz.sh)\n\nSee the raw output below: runs, corpus and crashes per "
      "target.\n")


def raw():
    w("\n## Raw outputs\n")
    for name in sorted(f[:-4] for f in os.listdir(RAW) if f.endswith(".txt") and f != "facts.txt"):
        body = text(name).rstrip()
        if len(body) > 20000:
            body = body[:20000] + "\n... (cut)"
        w("\n<details><summary>%s</summary>\n\n```\n%s\n```\n\n</details>\n" % (name, body))


header()
at = len(out)
poller()
plugins()
walks()
walk_scale()
emu()
daemon_mem()
soak()
fuzz()
raw()
out[at:at] = ["\n## Headlines\n", "\n".join("- " + h for h in HEAD) + "\n"]
sys.stdout.write("\n".join(out).replace("\n\n\n", "\n\n"))
