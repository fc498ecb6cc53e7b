package herdc

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"happens/explore"
	"happens/model"
	"happens/prog"
)

// corpusDir is herd7's C11 conformance corpus, beside the project.
const corpusDir = "../../../shared/conformance/herd-c11"

// perTestTimeout bounds the exploration of one test.
const perTestTimeout = 20 * time.Second

// herdResult is what herd7 prints about a test, as far as it must agree.
type herdResult struct {
	name      string
	kind      string          // Allowed, Forbidden, Required
	states    map[string]bool // normalised state lines
	verdict   string          // Always, Sometimes, Never
	pos, neg  int             // the Observation counts
	undef     bool
	condition string
}

// parseExpected reads a .expected file.
func parseExpected(path string) (*herdResult, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := &herdResult{states: map[string]bool{}}
	sc := bufio.NewScanner(f)
	inStates := 0
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		fields := strings.Fields(line)
		switch {
		case inStates > 0:
			r.states[normState(line)] = true
			inStates--
		case len(fields) >= 3 && fields[0] == "Test":
			r.name, r.kind = fields[1], fields[2]
		case len(fields) == 2 && fields[0] == "States":
			n, err := strconv.Atoi(fields[1])
			if err != nil {
				return nil, fmt.Errorf("%s: bad States line %q", path, line)
			}
			inStates = n
		case line == "Undef":
			r.undef = true
		case len(fields) > 0 && fields[0] == "Condition":
			r.condition = strings.TrimPrefix(line, "Condition ")
		case len(fields) >= 5 && fields[0] == "Observation":
			n := len(fields)
			r.verdict = fields[n-3]
			r.pos, _ = strconv.Atoi(fields[n-2])
			r.neg, _ = strconv.Atoi(fields[n-1])
		}
	}
	if r.verdict == "" {
		return nil, fmt.Errorf("%s: no Observation line", path)
	}
	return r, sc.Err()
}

// normState normalises a state line "0:r0=1; [x]=2;" by sorting its items.
func normState(line string) string {
	var items []string
	for _, it := range strings.Split(line, ";") {
		if it = strings.TrimSpace(it); it != "" {
			items = append(items, strings.ReplaceAll(it, " ", ""))
		}
	}
	sort.Strings(items)
	return strings.Join(items, "; ")
}

// finalState adapts an execution to prog.State.
type finalState struct{ x *explore.Execution }

func (s finalState) Local(t, r int) uint64 { return s.x.Threads[t].Regs[r] }
func (s finalState) Mem(loc int) uint64    { return s.x.Graph().Final(loc) }

// ourResult explores p and computes herd's view of its executions.
type ourResult struct {
	states   map[string]bool
	pos, neg int
	verdict  string
	undef    bool
	stats    explore.Stats
	failures int
}

func runTest(ctx context.Context, p *prog.Program) *ourResult {
	return runTestOpts(ctx, p, explore.Options{Model: model.RC11})
}

func runTestOpts(ctx context.Context, p *prog.Program, opts explore.Options) *ourResult {
	r := &ourResult{states: map[string]bool{}}
	r.stats = explore.Explore(ctx, p, opts, func(x *explore.Execution) {
		if x.Status != explore.Complete {
			return
		}
		s := finalState{x}
		if len(x.Failures) > 0 {
			r.failures++
		}
		if !r.undef && len(model.RC11.Races(model.NewExec(x.Graph()))) > 0 {
			r.undef = true
		}
		if p.Filter != nil && prog.Eval(p.Filter, s) == 0 {
			return
		}
		r.states[stateLine(p, s)] = true
		if p.Cond == nil || prog.Eval(p.Cond.Expr, s) != 0 {
			r.pos++
		} else {
			r.neg++
		}
	})
	switch {
	case r.pos == 0:
		r.verdict = "Never"
	case r.neg == 0:
		r.verdict = "Always"
	default:
		r.verdict = "Sometimes"
	}
	return r
}

// stateLine prints the observed values as herd does.
func stateLine(p *prog.Program, s prog.State) string {
	var b strings.Builder
	for _, o := range p.Observed {
		var v uint64
		if o.Thread >= 0 {
			v = s.Local(o.Thread, o.Reg)
		} else {
			v = s.Mem(o.Loc)
		}
		fmt.Fprintf(&b, "%s=%s; ", o.Name, p.FormatValue(o.Type, v))
	}
	return normState(b.String())
}

type outcome struct {
	folder, name string
	status       string // agreed, disagreed, rejected, timeout
	detail       string
	elapsed      time.Duration
}

func compareResults(p *prog.Program, want *herdResult, got *ourResult) string {
	var diffs []string
	if !sameSet(want.states, got.states) {
		diffs = append(diffs, fmt.Sprintf("states: herd %s, ours %s", setText(want.states), setText(got.states)))
	}
	if want.verdict != got.verdict || want.pos != got.pos || want.neg != got.neg {
		diffs = append(diffs, fmt.Sprintf("observation: herd %s %d %d, ours %s %d %d",
			want.verdict, want.pos, want.neg, got.verdict, got.pos, got.neg))
	}
	if want.undef != got.undef {
		diffs = append(diffs, fmt.Sprintf("undef: herd %v, ours %v", want.undef, got.undef))
	}
	kindText := map[prog.CondKind]string{prog.Exists: "exists", prog.NotExists: "~exists", prog.Forall: "forall"}[p.Cond.Kind]
	if c := kindText + " " + p.Cond.Text; c != want.condition {
		diffs = append(diffs, fmt.Sprintf("condition: herd %q, ours %q", want.condition, c))
	}
	if got.stats.Blocked > 0 || got.stats.Bounded > 0 || got.failures > 0 {
		diffs = append(diffs, fmt.Sprintf("(blocked %d, bounded %d, failed %d)", got.stats.Blocked, got.stats.Bounded, got.failures))
	}
	wantKind := map[prog.CondKind]string{prog.Exists: "Allowed", prog.NotExists: "Forbidden", prog.Forall: "Required"}[p.Cond.Kind]
	if len(diffs) > 0 && wantKind != want.kind {
		diffs = append(diffs, fmt.Sprintf("kind: herd %s, ours %s", want.kind, wantKind))
	}
	return strings.Join(diffs, "; ")
}

func sameSet(a, b map[string]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

func setText(s map[string]bool) string {
	var l []string
	for k := range s {
		l = append(l, "{"+k+"}")
	}
	sort.Strings(l)
	return strings.Join(l, " ")
}

// TestConformance runs herd7's C11 corpus and compares every result: the
// set of final states, the Observation verdict and counts, the Undef flag
// and the condition as herd prints it. HERDC_ONLY=substring restricts it to
// the matching files.
func TestConformance(t *testing.T) {
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skipf("conformance corpus not present (%s)", corpusDir)
	}
	var files []string
	err := filepath.Walk(corpusDir, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if !info.IsDir() && strings.HasSuffix(path, ".litmus") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if only := os.Getenv("HERDC_ONLY"); only != "" {
		var keep []string
		for _, f := range files {
			if strings.Contains(f, only) {
				keep = append(keep, f)
			}
		}
		files = keep
	}
	sort.Strings(files)

	results := make([]outcome, len(files))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < runtime.NumCPU(); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				results[i] = checkOne(files[i])
			}
		}()
	}
	for i := range files {
		jobs <- i
	}
	close(jobs)
	wg.Wait()

	type row struct{ agreed, disagreed, rejected, timeout int }
	table := map[string]*row{}
	var folders []string
	var bad, rejected, timedOut []outcome
	for _, o := range results {
		r := table[o.folder]
		if r == nil {
			r = &row{}
			table[o.folder] = r
			folders = append(folders, o.folder)
		}
		switch o.status {
		case "agreed":
			r.agreed++
		case "disagreed":
			r.disagreed++
			bad = append(bad, o)
		case "rejected":
			r.rejected++
			rejected = append(rejected, o)
		case "timeout":
			r.timeout++
			timedOut = append(timedOut, o)
		}
	}
	sort.Strings(folders)
	var b strings.Builder
	fmt.Fprintf(&b, "\n%-24s %7s %9s %8s %7s\n", "folder", "agreed", "disagreed", "rejected", "timeout")
	var tot row
	for _, f := range folders {
		r := table[f]
		fmt.Fprintf(&b, "%-24s %7d %9d %8d %7d\n", f, r.agreed, r.disagreed, r.rejected, r.timeout)
		tot.agreed += r.agreed
		tot.disagreed += r.disagreed
		tot.rejected += r.rejected
		tot.timeout += r.timeout
	}
	fmt.Fprintf(&b, "%-24s %7d %9d %8d %7d\n", "total", tot.agreed, tot.disagreed, tot.rejected, tot.timeout)
	t.Log(b.String())
	for _, o := range rejected {
		t.Logf("rejected %s/%s: %s", o.folder, o.name, o.detail)
	}
	for _, o := range timedOut {
		t.Logf("timed out %s/%s after %v", o.folder, o.name, o.elapsed.Round(time.Millisecond))
	}
	for _, o := range bad {
		t.Errorf("disagreement %s/%s: %s", o.folder, o.name, o.detail)
	}
}

func checkOne(path string) outcome {
	o := outcome{folder: filepath.Base(filepath.Dir(path)), name: strings.TrimSuffix(filepath.Base(path), ".litmus")}
	want, err := parseExpected(strings.TrimSuffix(path, ".litmus") + ".expected")
	if err != nil {
		o.status, o.detail = "disagreed", "cannot read the expected result: "+err.Error()
		return o
	}
	src, err := os.ReadFile(path)
	if err != nil {
		o.status, o.detail = "disagreed", err.Error()
		return o
	}
	p, err := Parse(path, src)
	if err != nil {
		o.status = "rejected"
		o.detail = strings.ReplaceAll(err.Error(), corpusDir+"/", "")
		return o
	}
	ctx, cancel := context.WithTimeout(context.Background(), perTestTimeout)
	defer cancel()
	start := time.Now()
	got := runTest(ctx, p)
	o.elapsed = time.Since(start)
	if got.stats.Stopped {
		o.status = "timeout"
		return o
	}
	if d := compareResults(p, want, got); d != "" {
		o.status, o.detail = "disagreed", d
		return o
	}
	o.status = "agreed"
	return o
}
