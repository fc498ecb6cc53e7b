package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"happens"
	"happens/prog"
	"happens/render"
	"happens/result"
	"happens/source"
)

// expandArgs turns directories into the .litmus files below them, sorted.
func expandArgs(args []string) ([]string, bool, error) {
	var files []string
	corpus := len(args) > 1
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return nil, false, err
		}
		if !st.IsDir() {
			files = append(files, a)
			continue
		}
		corpus = true
		var found []string
		err = filepath.WalkDir(a, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.HasSuffix(path, ".litmus") {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, false, err
		}
		sort.Strings(found)
		files = append(files, found...)
	}
	return files, corpus, nil
}

// expectation is what a test says about itself: herd's Observation line in
// a companion T.expected file, or an expect line in the Rust syntax.
type expectation struct {
	from               string
	verdict            string
	positive, negative int
	counts, undef      bool
	wantUndef          bool
	panics             bool // a #[should_panic] test
}

// herdExpected reads the Observation (and Undef) of a herd7 output file.
func herdExpected(path string) (*expectation, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	e := &expectation{from: filepath.Base(path), undef: true}
	sc := bufio.NewScanner(bytes.NewReader(data))
	found := false
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 1 && f[0] == "Undef":
			e.wantUndef = true
		case len(f) >= 5 && f[0] == "Observation":
			e.verdict = f[2]
			p, err1 := strconv.Atoi(f[3])
			n, err2 := strconv.Atoi(f[4])
			if err1 != nil || err2 != nil {
				return nil, fmt.Errorf("%s: bad Observation line", path)
			}
			e.positive, e.negative, e.counts = p, n, true
			found = true
		}
	}
	if !found {
		return nil, fmt.Errorf("%s: no Observation line", path)
	}
	return e, nil
}

type corpusRecord struct {
	file    string
	res     *result.Result
	errText string // parse or read error
	expect  *expectation
	problem string // how the result disagrees with the expectation
}

func (r *corpusRecord) check() {
	e := r.expect
	if e == nil || r.res == nil {
		return
	}
	if e.panics {
		if met, known := r.res.ExpectationMet(); !met {
			if known {
				r.problem = "no execution panics (#[should_panic])"
			} else {
				r.problem = "incomplete run; no panic found so far"
			}
		}
		return
	}
	if !r.res.Complete() {
		r.problem = "incomplete run; expectation not checked"
		return
	}
	var bad []string
	if e.verdict != "" && e.verdict != r.res.Verdict {
		bad = append(bad, fmt.Sprintf("verdict %s, expected %s", r.res.Verdict, e.verdict))
	}
	if e.counts && (e.positive != r.res.Positive || e.negative != r.res.Negative) {
		bad = append(bad, fmt.Sprintf("counts %d/%d, expected %d/%d", r.res.Positive, r.res.Negative, e.positive, e.negative))
	}
	if e.undef && e.wantUndef != (len(r.res.Races) > 0) {
		bad = append(bad, fmt.Sprintf("undef %v, expected %v", len(r.res.Races) > 0, e.wantUndef))
	}
	r.problem = strings.Join(bad, "; ")
}

// runCorpus runs many tests on all cores and prints one line per test
// (or one JSON record, or one herd block) and a summary.
func runCorpus(ctx context.Context, files []string, o runOpts, stdout, stderr io.Writer) int {
	recs := make([]*corpusRecord, len(files))
	jobs := make(chan int)
	var wg sync.WaitGroup
	workers := runtime.NumCPU()
	start := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				recs[i] = runOne(ctx, files[i], o)
			}
		}()
	}
	// Print in order as results arrive.
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range files {
			if ctx.Err() != nil {
				break
			}
			jobs <- i
		}
		close(jobs)
	}()
	<-done
	wg.Wait()
	status := ExitOK
	var agreed, disagreed, errs, failed, partial int
	for _, r := range recs {
		if r == nil {
			continue
		}
		switch o.format {
		case "json":
			rec := map[string]any{"file": r.file}
			if r.res != nil {
				rec["result"] = render.JSONRecord(r.res)
			}
			if r.errText != "" {
				rec["error"] = r.errText
			}
			if r.expect != nil {
				rec["expected"] = map[string]any{"from": r.expect.from, "verdict": r.expect.verdict, "agrees": r.problem == ""}
			}
			b, _ := json.Marshal(rec)
			fmt.Fprintln(stdout, string(b))
		case "herd":
			if r.res != nil {
				render.Herd(stdout, r.res)
			}
		default:
			printLine(stdout, r)
		}
		switch {
		case r.errText != "":
			errs++
			if o.format != "text" {
				fmt.Fprintf(stderr, "%s", r.errText)
			}
		case r.expect != nil && r.problem != "":
			disagreed++
		case r.expect != nil:
			agreed++
		}
		if r.res != nil {
			if r.res.Failed() {
				failed++
			}
			if !r.res.Complete() {
				partial++
			}
		}
	}
	fmt.Fprintf(stderr, "%d tests in %s: %d agree with their expectation, %d disagree, %d without one; %d rejected; %d find a failure; %d partial\n",
		len(files), time.Since(start).Round(time.Millisecond), agreed, disagreed, len(files)-agreed-disagreed-errs, errs, failed, partial)
	if disagreed > 0 {
		status = ExitFailed
	}
	if errs > 0 && status == ExitOK {
		status = ExitUsage
	}
	if partial > 0 && status == ExitOK {
		status = ExitPartial
	}
	return status
}

func runOne(ctx context.Context, file string, o runOpts) *corpusRecord {
	r := &corpusRecord{file: file}
	src, err := os.ReadFile(file)
	if err != nil {
		r.errText = err.Error() + "\n"
		return r
	}
	p, err := happens.Parse(file, src, o.defines)
	if err != nil {
		r.errText = source.Format(err, src)
		return r
	}
	if exp := strings.TrimSuffix(file, ".litmus") + ".expected"; exp != file {
		if _, err := os.Stat(exp); err == nil {
			if e, err := herdExpected(exp); err == nil {
				r.expect = e
			} else {
				r.errText = err.Error() + "\n"
				return r
			}
		}
	}
	if r.expect == nil && p.Expect != nil && p.Expect.Verdict == prog.ExpectPanic {
		r.expect = &expectation{from: "#[should_panic]", panics: true}
	} else if r.expect == nil && p.Expect != nil {
		r.expect = &expectation{from: "expect line", verdict: p.Expect.Verdict}
	}
	res, err := runModel(ctx, p, o) // mesi.go
	if err != nil {
		r.errText = err.Error() + "\n"
		return r
	}
	r.res = res
	r.check()
	return r
}

func printLine(w io.Writer, r *corpusRecord) {
	if r.errText != "" {
		first := strings.SplitN(r.errText, "\n", 2)[0]
		fmt.Fprintf(w, "%-40s REJECTED  %s\n", r.file, first)
		return
	}
	res := r.res
	verdict := res.Verdict
	if verdict == "" {
		verdict = "-"
	}
	line := fmt.Sprintf("%-40s %-9s %6d %6d  %7d execs %9s", res.Program.Name, verdict, res.Positive, res.Negative, res.Stats.Complete, round(res.Stats.Elapsed))
	if !res.Complete() {
		line += "  PARTIAL"
	}
	if len(res.Races) > 0 {
		line += "  race"
	}
	if len(res.Failures) > 0 {
		line += "  assert"
	}
	if len(res.Hangs) > 0 {
		line += "  liveness"
	}
	if r.expect != nil {
		if r.problem == "" {
			line += "  ok"
		} else {
			line += "  MISMATCH: " + r.problem
		}
	}
	fmt.Fprintln(w, line)
}

func round(d time.Duration) time.Duration {
	if d > time.Millisecond {
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}
