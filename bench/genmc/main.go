// Command genmc times happens on GenMC's synthetic benchmarks, written in
// Rust in this directory, at the parameters of GenMC's own test suite, and
// writes the results as the "GenMC benchmarks" section of BENCHMARKS.md.
//
// Each benchmark runs as its own process (a happens binary built from the
// tree being measured), so its wall time includes start-up as GenMC's
// reference times do, and its peak memory is the process's maximum
// resident set. Run it through bench/genmc/run.sh, which builds the
// binary and pins everything to one core:
//
//	bench/genmc/run.sh [-timeout 120s] [-only coa,big0]
//	go run ./bench/genmc -happens /tmp/happens [-md BENCHMARKS.md]
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"time"
)

// A benchmark is one row of the table: a program, the parameter GenMC's
// suite runs it with, a model, and what GenMC reports for it.
type benchmark struct {
	name  string
	file  string // in this directory
	param string // NAME=VALUE passed as -D, or ""
	model string
	// genmc is GenMC's execution count (the table, which agrees
	// with GenMC's tests/correct/synthetic/*/expected.* files).
	genmc int
	// genmcTime is GenMC v0.11's wall time in seconds as the issue quotes
	// it (idle machine, about 0.05 s of start-up included); 0 if none.
	genmcTime float64
	// events is the number of memory accesses in one execution (loads,
	// stores and read-modify-writes, a failed compare-exchange included,
	// one each; spawns and joins not counted); eventsNote says how it was
	// obtained when it is not a plain count of the program's accesses.
	events     float64
	eventsNote string
}

// benchmarks is the table of issue 10 (deliverable 6), in its order, plus
// CAS rotation and lastzero at N = 15, for which the issue quotes GenMC
// times. c20 is GenMC's RC11 (C++20 release sequences).
var benchmarks = []benchmark{
	{name: "ainc", file: "ainc.rs", param: "N=7", model: "c20", genmc: 5040, genmcTime: 0.33, events: 7},
	{name: "binc", file: "binc.rs", param: "N=4", model: "c20", genmc: 576, events: 2 * 4},
	{name: "cinc", file: "cinc.rs", param: "N=4", model: "c20", genmc: 13824, events: 3 * 4},
	{name: "casw", file: "casw.rs", param: "N=5", model: "c20", genmc: 32880, events: 2 * 5},
	{name: "wcas", file: "wcas.rs", param: "N=9", model: "c20", genmc: 2305, events: 9 + 1},
	{name: "inc", file: "inc.rs", param: "N=4", model: "c20", genmc: 576, events: 2 * 4},
	{name: "coa", file: "coa.rs", param: "N=5", model: "c20", genmc: 57600, genmcTime: 0.38, events: 2*5 + 4},
	{name: "coa", file: "coa.rs", param: "N=5", model: "sc", genmc: 49776, events: 2*5 + 4},
	{name: "big0", file: "big0.rs", model: "c20", genmc: 82472, genmcTime: 0.58, events: 22},
	{name: "big0", file: "big0.rs", model: "sc", genmc: 69112, events: 22},
	{name: "nwriters", file: "nwriters.rs", param: "N=4", model: "c20", genmc: 720, events: 4 + 2},
	{name: "readers", file: "readers.rs", param: "N=13", model: "c20", genmc: 8192, genmcTime: 0.47, events: 13 + 1},
	{name: "lastzero", file: "lastzero.rs", param: "N=10", model: "c20", genmc: 3328, events: lastzeroEvents(10),
		eventsNote: "average"},
	{name: "lastzero", file: "lastzero.rs", param: "N=15", model: "c20", genmc: 147456, genmcTime: 12.7, events: lastzeroEvents(15),
		eventsNote: "average"},
	{name: "indexer", file: "indexer.rs", param: "N=15", model: "c20", genmc: 4096, genmcTime: 3.6, events: 4*15 + 12},
	{name: "eratosthenes", file: "eratosthenes.rs", param: "N=5", model: "c20", genmc: 1512, events: 26,
		eventsNote: "at most"},
	{name: "eratosthenes", file: "eratosthenes.rs", param: "N=5", model: "sc", genmc: 398, events: 26,
		eventsNote: "at most"},
	{name: "fib_bench", file: "fib_bench.rs", param: "NUM=5", model: "c20", genmc: 525630, genmcTime: 3.84, events: 6*5 + 2},
	{name: "fib_bench", file: "fib_bench.rs", param: "NUM=5", model: "sc", genmc: 218243, events: 6*5 + 2},
	{name: "casrot", file: "casrot.rs", param: "N=9", model: "c20", genmc: 8597, genmcTime: 0.13, events: 9},
}

// lastzeroEvents is the average number of accesses per execution of
// lastzero: 2N by the writers, and by the reader, which stops at the
// first zero, the average over the (N + 3) * 2^(N-2) executions (see
// genmc_test.go): 2^(N-1) stop at A[0] after N + 1 loads, 2^(N-1) at
// A[N] after 1, and 2^(N-2) at each A[k] in between after N - k + 1.
func lastzeroEvents(n int) float64 {
	loads := 2*(n+1) + 2
	for k := 1; k < n; k++ {
		loads += n - k + 1
	}
	return float64(2*n) + float64(loads)/float64(n+3)
}

// A measurement is what one run produced.
type measurement struct {
	executions int
	complete   bool
	partial    []string
	wall       time.Duration
	cpu        time.Duration // user + system
	maxRSS     int64         // bytes
	err        error
}

// output is the part of happens' JSON result the table needs.
type output struct {
	Executions int      `json:"executions"`
	Complete   bool     `json:"complete"`
	Partial    []string `json:"partial"`
}

func measure(ctx context.Context, bin, dir string, b benchmark, timeout time.Duration) measurement {
	args := []string{"run", "--json", "--model", b.model, "--timeout", timeout.String()}
	if b.param != "" {
		args = append(args, "-D", b.param)
	}
	args = append(args, filepath.Join(dir, b.file))
	// happens stops itself at the timeout and prints a partial result; the
	// context is a backstop if it does not.
	ctx, cancel := context.WithTimeout(ctx, timeout+30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "GOMAXPROCS=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	m := measurement{wall: time.Since(start)}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		m.maxRSS = ru.Maxrss * 1024 // kilobytes on Linux
		m.cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 3) {
		m.err = fmt.Errorf("%v: %s", err, lastLine(stderr.String()))
		return m
	}
	var out output
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		m.err = fmt.Errorf("reading happens' JSON: %v", err)
		return m
	}
	m.executions, m.complete, m.partial = out.Executions, out.Complete, out.Partial
	return m
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func main() {
	bin := flag.String("happens", "", "happens binary to measure (required; bench/genmc/run.sh builds it)")
	timeout := flag.Duration("timeout", 120*time.Second, "per-benchmark time limit")
	md := flag.String("md", "BENCHMARKS.md", "Markdown file whose \"GenMC benchmarks\" section is replaced (\"\" to print only)")
	only := flag.String("only", "", "comma-separated benchmark names to run (default all)")
	dir := flag.String("dir", "bench/genmc", "directory of the benchmark programs")
	flag.Parse()
	if *bin == "" {
		fmt.Fprintln(os.Stderr, "genmc: -happens BIN is required (see bench/genmc/run.sh)")
		os.Exit(2)
	}
	want := map[string]bool{}
	for _, n := range strings.Split(*only, ",") {
		if n != "" {
			want[n] = true
		}
	}
	mach, load := machine(), loadavg()
	var rows []row
	for _, b := range benchmarks {
		if len(want) > 0 && !want[b.name] {
			continue
		}
		fmt.Fprintf(os.Stderr, "%-13s %-6s %-4s ", b.name, b.param, b.model)
		m := measure(context.Background(), *bin, *dir, b, *timeout)
		r := row{b: b, m: m}
		fmt.Fprintln(os.Stderr, r.summary())
		rows = append(rows, r)
	}
	section := render(rows, mach, load, loadavg(), *timeout)
	if *md == "" {
		fmt.Print(section)
	} else if err := replaceSection(*md, "GenMC benchmarks", section); err != nil {
		fmt.Fprintln(os.Stderr, "genmc:", err)
		os.Exit(1)
	} else {
		fmt.Fprintf(os.Stderr, "wrote the \"GenMC benchmarks\" section of %s\n", *md)
	}
	for _, r := range rows {
		if r.m.err != nil || (r.m.complete && !r.agrees()) {
			os.Exit(1) // a count differs from GenMC's, or a run failed
		}
	}
}

type row struct {
	b benchmark
	m measurement
}

func (r row) agrees() bool { return r.m.err == nil && r.m.complete && r.m.executions == r.b.genmc }

func (r row) summary() string {
	switch {
	case r.m.err != nil:
		return "error: " + r.m.err.Error()
	case !r.m.complete:
		return fmt.Sprintf("PARTIAL after %s: %d executions (%s)", secs(r.m.wall), r.m.executions, strings.Join(r.m.partial, "; "))
	case !r.agrees():
		return fmt.Sprintf("%d executions, GenMC %d: DIFFERENT, %s", r.m.executions, r.b.genmc, secs(r.m.wall))
	}
	return fmt.Sprintf("%d executions (= GenMC), %s, %s", r.m.executions, secs(r.m.wall), mib(r.m.maxRSS))
}

func secs(d time.Duration) string {
	s := d.Seconds()
	switch {
	case s >= 10:
		return fmt.Sprintf("%.1f s", s)
	case s >= 1:
		return fmt.Sprintf("%.2f s", s)
	}
	return fmt.Sprintf("%.3f s", s)
}

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

// commas writes n with thousands separators, as the tables do.
func commas(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// machine describes where the numbers were taken: nproc (all processors,
// not the one this process is pinned to), lscpu's model and topology,
// memory, the load when the run started, the Go version.
func machine() string {
	var parts []string
	if out, err := exec.Command("nproc", "--all").Output(); err == nil {
		parts = append(parts, "nproc "+strings.TrimSpace(string(out)))
	}
	if out, err := exec.Command("lscpu").Output(); err == nil {
		f := map[string]string{}
		for _, line := range strings.Split(string(out), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok {
				f[strings.TrimSpace(k)] = strings.TrimSpace(v)
			}
		}
		cpu := fmt.Sprintf("%s (family %s, model %s), %s CPUs, %s thread(s) per core, %s core(s) per socket, %s socket(s)",
			f["Model name"], f["CPU family"], f["Model"], f["CPU(s)"], f["Thread(s) per core"], f["Core(s) per socket"], f["Socket(s)"])
		if h := f["Hypervisor vendor"]; h != "" {
			cpu += ", hypervisor " + h
		} else if strings.Contains(f["Flags"], "hypervisor") {
			cpu += ", virtualised"
		}
		parts = append(parts, "lscpu: "+cpu)
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		if _, err := fmt.Sscanf(string(b), "MemTotal: %d kB", &kb); err == nil {
			parts = append(parts, fmt.Sprintf("%.0f GiB", float64(kb)/(1<<20)))
		}
	}
	parts = append(parts, runtime.Version()+" "+runtime.GOOS+"/"+runtime.GOARCH)
	return strings.Join(parts, "; ")
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "unknown"
}

func render(rows []row, mach, loadBefore, loadAfter string, timeout time.Duration) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("## GenMC benchmarks\n\n")
	w("GenMC's synthetic benchmarks (`tests/correct/synthetic/` of its repository), written in\n")
	w("Rust in `bench/genmc/`, at the parameters of GenMC's suite. Written by `bench/genmc/run.sh`\n")
	w("(%s, happens %s): one process per benchmark, pinned to one core (`taskset -c 0`,\n", time.Now().Format("2006-01-02"), commit())
	w("`GOMAXPROCS=1`), limit %s each.\n\n", timeout)
	w("Issue 10's targets (one core): every benchmark at least 2× GenMC's executions per second, fib_bench under 2 s, big0 under 0.3 s, indexer under 2 s, lastzero N=15 under 6 s.\n\n")
	w("Machine: %s.\n\n", mach)
	w("Load average (1, 5, 15 min): %s before the run, %s after. The machine is shared: with a\n", loadBefore, loadAfter)
	w("load above 1 the wall times include waiting for the core; *CPU* (user + system time of the\n")
	w("process) is much less sensitive to that.\n\n")
	w("- *wall* is the wall time of the whole process (start-up, parsing, exploration, output), as\n")
	w("  GenMC's reference times include its start-up (about 0.05 s); *RSS* is its peak resident set.\n")
	w("- *events* are the memory accesses of one execution (loads, stores, read-modify-writes and failed\n")
	w("  compare-exchanges, one each; spawns and joins not counted), counted from the program\n")
	w("  (formulas in `bench/genmc/main.go`). *executions/s* = executions / wall; *ns/event* = wall /\n")
	w("  (executions × events). lastzero's reader stops at the first zero, so its figure is the\n")
	w("  average over the executions; eratosthenes' is the longest execution, so its ns/event is a\n")
	w("  lower bound. GenMC counts more events (an RMW is two, thread creation and joins are events),\n")
	w("  so ns/event is not comparable across tools.\n")
	w("- *GenMC time* is GenMC v0.11 as issue 10 quotes it (same kind of machine, idle); *GenMC ÷\n")
	w("  happens* is its time divided by happens' wall time (in brackets: by happens' CPU time); above\n")
	w("  1, happens is faster. With equal counts this is also the ratio of executions per second\n")
	w("  (issue 10's target: at least 2).\n\n")
	w("| benchmark | parameter | model | executions | GenMC | wall | CPU | executions/s | events | ns/event | RSS | GenMC time | GenMC ÷ happens |\n")
	w("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	var differ []string
	for _, r := range rows {
		param := r.b.param
		if param == "" {
			param = "—"
		}
		count := commas(r.m.executions)
		switch {
		case r.m.err != nil:
			count = "error"
		case !r.m.complete:
			count = fmt.Sprintf("%s (partial: %s)", count, strings.Join(r.m.partial, "; "))
		case !r.agrees():
			count = "**" + count + "** (differs)"
			differ = append(differ, fmt.Sprintf("%s %s %s: happens %s, GenMC %s", r.b.name, param, r.b.model, commas(r.m.executions), commas(r.b.genmc)))
		default:
			count += " ✓"
		}
		rate, nsev := "—", "—"
		if r.m.err == nil && r.m.executions > 0 {
			rate = commas(int(float64(r.m.executions) / r.m.wall.Seconds()))
			nsev = fmt.Sprintf("%.0f", float64(r.m.wall.Nanoseconds())/(float64(r.m.executions)*r.b.events))
		}
		events := fmt.Sprintf("%g", r.b.events)
		if r.b.eventsNote != "" {
			events = fmt.Sprintf("%.1f (%s)", r.b.events, r.b.eventsNote)
		}
		gt, ratio := "—", "—"
		if r.b.genmcTime > 0 {
			gt = fmt.Sprintf("%g s", r.b.genmcTime)
			if r.agrees() {
				ratio = fmt.Sprintf("%.2f (CPU: %.2f)", r.b.genmcTime/r.m.wall.Seconds(), r.b.genmcTime/r.m.cpu.Seconds())
			}
		}
		rss := "—"
		if r.m.maxRSS > 0 {
			rss = fmt.Sprintf("%.0f MiB", float64(r.m.maxRSS)/(1<<20))
		}
		w("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			r.b.name, param, r.b.model, count, commas(r.b.genmc), secs(r.m.wall), secs(r.m.cpu), rate, events, nsev, rss, gt, ratio)
	}
	w("\n")
	if len(differ) == 0 {
		w("Every count that completed agrees with GenMC's (✓).\n")
	} else {
		w("Counts that differ from GenMC's: %s.\n", strings.Join(differ, "; "))
	}
	return b.String()
}

// commit names the tree measured: the short hash, marked when the work
// tree has changes.
func commit() string {
	out, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "(unknown commit)"
	}
	c := strings.TrimSpace(string(out))
	if st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(bytes.TrimSpace(st)) > 0 {
		c += " with local changes"
	}
	return "at " + c
}

// replaceSection puts section in place of the file's "## title" section
// (up to the next "## " heading), or appends it.
func replaceSection(path, title, section string) error {
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	text := string(old)
	head := regexp.MustCompile(`(?m)^## ` + regexp.QuoteMeta(title) + `\s*$`)
	var out string
	if loc := head.FindStringIndex(text); loc != nil {
		rest := text[loc[1]:]
		end := len(text)
		if next := regexp.MustCompile(`(?m)^## `).FindStringIndex(rest); next != nil {
			end = loc[1] + next[0]
		}
		tail := text[end:]
		if tail != "" {
			section += "\n"
		}
		out = text[:loc[0]] + section + tail
	} else {
		if text != "" && !strings.HasSuffix(text, "\n\n") {
			text = strings.TrimRight(text, "\n") + "\n\n"
		}
		out = text + section
	}
	return os.WriteFile(path, []byte(out), 0o644)
}
